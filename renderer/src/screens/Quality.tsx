import { useTranslation } from 'react-i18next';

export function QualityScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.quality')}</h1>;
}
