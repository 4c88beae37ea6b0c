import { useTranslation } from 'react-i18next';

export function ShipmentsScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.shipments')}</h1>;
}
