import { useTranslation } from 'react-i18next';

export function ProductionScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.production')}</h1>;
}
