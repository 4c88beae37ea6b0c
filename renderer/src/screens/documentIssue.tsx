// Issuing documents where the work is: the quality certificate and the recall report on a lot's
// card, the certificate and the export document set on a shipment. Each shows the number and
// version issued and opens the PDF; a refusal (not verified, no price…) stays beside the form.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { IssuedNote, useIssueDocuments } from '../components/DocumentParts';
import { Button, ErrorBanner, Field, fieldError, SelectInput, TextInput } from '../components/forms';

type Shipment = OperationOutput<'shipments.get'>;
export type Lang = 'ru' | 'en' | 'zh';

const CURRENCIES = ['CNY', 'USD', 'EUR', 'RUB'];
/** The export set in its order: the invoice first, so a missing price refuses before anything is numbered. */
const EXPORT_SET = ['invoice', 'packing_list', 'vet_data', 'origin_application'] as const;

/** The language a document is issued in (a recall report has no Chinese). */
export function LangField({ value, onChange, error, langs }: { value: Lang; onChange(v: Lang): void; error: string | undefined; langs: readonly Lang[] }) {
  const { t } = useTranslation();
  return (
    <Field label={t('documents.lang')} error={error}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as Lang)}>
          {langs.map((l) => (
            <option key={l} value={l}>
              {t(`documents.langs.${l}`)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** On the lot card: «Сертификат качества» (ru/en/zh) and «Отчёт для отзыва» (ru/en). */
export function LotDocuments({ code }: { code: string }) {
  const { t, i18n } = useTranslation();
  const docs = useIssueDocuments();
  const [lang, setLang] = useState<Lang>('ru');
  return (
    <section className="doc-issue" aria-label={t('documents.issueTitle')}>
      <h3>{t('documents.issueTitle')}</h3>
      <div className="toolbar">
        <LangField value={lang} onChange={setLang} error={fieldError(docs.error, 'lang', i18n.language)} langs={['ru', 'en', 'zh']} />
        <Button type="button" onClick={() => void docs.run([{ type: 'certificate', lot: code, lang }])} pending={docs.pending}>
          {t('documents.type.certificate')}
        </Button>
        <Button type="button" onClick={() => void docs.run([{ type: 'recall', lot: code, lang }])} pending={docs.pending}>
          {t('documents.type.recall')}
        </Button>
      </div>
      <ErrorBanner error={docs.error} shownFields={['lang']} />
      <IssuedNote issued={docs.issued} pdf={docs.pdf} />
    </section>
  );
}

/** On the shipment: «Сертификат качества» and «Экспортный комплект» (invoice with prices, packing list, vet data, origin). */
export function ShipmentDocuments({ shipment }: { shipment: Shipment }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const docs = useIssueDocuments();
  const [certLang, setCertLang] = useState<Lang>('en');
  const [exportOpen, setExportOpen] = useState(false);
  const products = [...new Set(shipment.lines.map((l) => l.product_code))].sort();
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [currency, setCurrency] = useState(shipment.currency ?? '');
  const [incoterms, setIncoterms] = useState(shipment.incoterms ?? '');
  const [packing, setPacking] = useState('');

  const priceOf = (product: string): number | null => {
    const n = Number((prices[product] ?? '').replace(',', '.'));
    return (prices[product] ?? '').trim() !== '' && Number.isFinite(n) ? n : null;
  };
  const issueExportSet = (event: FormEvent) => {
    event.preventDefault();
    // A price left empty is not sent: the invoice then refuses with «no price» for that product.
    const given = Object.fromEntries(products.flatMap((p) => (priceOf(p) === null ? [] : [[p, priceOf(p)]])));
    const options = {
      shipment: shipment.number,
      lang: 'en',
      prices: given,
      ...(currency ? { currency } : {}),
      ...(incoterms.trim() ? { incoterms: incoterms.trim() } : {}),
      ...(packing.trim() ? { packing: packing.trim() } : {}),
    };
    void docs.run(EXPORT_SET.map((type) => ({ type, ...options })));
  };

  return (
    <section className="shp-panel" aria-labelledby="documents-title">
      <h2 id="documents-title">{t('documents.issueTitle')}</h2>
      <div className="toolbar">
        <LangField value={certLang} onChange={setCertLang} error={fieldError(docs.error, 'lang', lang)} langs={['ru', 'en', 'zh']} />
        <Button type="button" onClick={() => void docs.run([{ type: 'certificate', shipment: shipment.number, lang: certLang }])} pending={docs.pending}>
          {t('documents.type.certificate')}
        </Button>
        <Button type="button" aria-expanded={exportOpen} onClick={() => setExportOpen((o) => !o)}>
          {t('documents.exportSet')}
        </Button>
      </div>
      {exportOpen && (
        <form className="card" onSubmit={issueExportSet} aria-label={t('documents.exportSet')}>
          <p className="muted">{t('documents.exportSetHint')}</p>
          <div className="grid-3">
            {products.map((p) => (
              <Field key={p} label={t('documents.price', { product: p })} error={fieldError(docs.error, `prices.${p}`, lang)}>
                {(id) => <TextInput id={id} value={prices[p] ?? ''} onChange={(v) => setPrices((all) => ({ ...all, [p]: v }))} inputMode="decimal" autoComplete="off" />}
              </Field>
            ))}
            <Field label={t('documents.currency')} error={fieldError(docs.error, 'currency', lang)}>
              {(id) => <SelectInput id={id} value={currency} onChange={setCurrency} options={CURRENCIES.map((c) => ({ value: c, label: c }))} />}
            </Field>
            <Field label={t('documents.incoterms')} error={fieldError(docs.error, 'incoterms', lang)}>
              {(id) => <TextInput id={id} value={incoterms} onChange={setIncoterms} maxLength={40} />}
            </Field>
            <Field label={t('documents.packing')} error={fieldError(docs.error, 'packing', lang)} hint={t('documents.packingHint')}>
              {(id) => <TextInput id={id} value={packing} onChange={setPacking} maxLength={200} />}
            </Field>
          </div>
          <div className="actions">
            <Button kind="primary" type="submit" pending={docs.pending}>
              {t('documents.issueExportSet')}
            </Button>
          </div>
        </form>
      )}
      <ErrorBanner error={docs.error} shownFields={['lang', ...(exportOpen ? [...products.map((p) => `prices.${p}`), 'currency', 'incoterms', 'packing'] : [])]} />
      <IssuedNote issued={docs.issued} pdf={docs.pdf} />
    </section>
  );
}
