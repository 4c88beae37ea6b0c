import { useTranslation } from 'react-i18next';

export function DashboardScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.dashboard')}</h1>;
}
