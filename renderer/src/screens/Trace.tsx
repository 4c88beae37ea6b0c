import { useTranslation } from 'react-i18next';

export function TraceScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.trace')}</h1>;
}
