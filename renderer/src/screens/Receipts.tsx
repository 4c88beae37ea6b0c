import { useTranslation } from 'react-i18next';

export function ReceiptsScreen() {
  const { t } = useTranslation();
  return <h1>{t('nav.receipts')}</h1>;
}
