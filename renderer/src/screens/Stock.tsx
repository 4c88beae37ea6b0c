import { useTranslation } from 'react-i18next';

export function StockScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.stock')}</h1>;
}
