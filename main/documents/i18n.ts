// The words printed documents use, in the three languages a certificate is issued in. Kept apart
// from the renderer's i18next resources: documents are built in the main process and their text
// is part of what the content hash covers.

export type DocLang = 'ru' | 'en' | 'zh';
export const DOC_LANGS: readonly DocLang[] = ['ru', 'en', 'zh'];

/** Words every document prints the same way (the certificate and the export set alike). */
export const DOCUMENT_WORDS = {
  number: { ru: '№', en: 'No.', zh: '编号' },
  date: { ru: 'Дата', en: 'Date', zh: '日期' },
  producer: { ru: 'Изготовитель', en: 'Producer', zh: '生产企业' },
  vetApprovalNo: { ru: 'Ветеринарный номер предприятия', en: 'Veterinary approval No.', zh: '兽医批准编号' },
  consignee: { ru: 'Грузополучатель', en: 'Consignee', zh: '收货人' },
  containers: { ru: 'Контейнеры / пломбы', en: 'Containers / seals', zh: '集装箱 / 封号' },
  product: { ru: 'Продукция', en: 'Product', zh: '产品' },
  latinName: { ru: 'Латинское название', en: 'Scientific name', zh: '学名' },
  productionMethod: { ru: 'Способ производства', en: 'Production method', zh: '生产方式' },
  wild: { ru: 'вылов в природе', en: 'wild-caught', zh: '野生捕捞' },
  farmed: { ru: 'аквакультура', en: 'farmed', zh: '养殖' },
  catchArea: { ru: 'Район вылова', en: 'Catch area', zh: '捕捞区域' },
  hsCode: { ru: 'Код ТН ВЭД', en: 'HS code', zh: 'HS编码' },
  lot: { ru: 'Партия', en: 'Lot', zh: '批号' },
  producedAt: { ru: 'Дата изготовления', en: 'Production date', zh: '生产日期' },
  expiresAt: { ru: 'Годен до', en: 'Expiry date', zh: '保质期至' },
} as const satisfies Record<string, Record<DocLang, string>>;

const CERTIFICATE = {
  ...DOCUMENT_WORDS,
  title: { ru: 'Сертификат качества', en: 'Quality certificate', zh: '质量证书' },
  address: { ru: 'Адрес', en: 'Address', zh: '地址' },
  country: { ru: 'Страна', en: 'Country', zh: '国家' },
  chinaRegNo: { ru: 'Рег. номер в Китае (GACC)', en: 'China registration No. (GACC)', zh: '在华注册编号' },
  shipment: { ru: 'Отгрузка', en: 'Shipment', zh: '发货' },
  destination: { ru: 'Страна назначения', en: 'Destination', zh: '目的国' },
  storage: { ru: 'Температура хранения', en: 'Storage temperature', zh: '储存温度' },
  packages: { ru: 'Количество мест', en: 'Packages', zh: '件数' },
  netWeight: { ru: 'Масса нетто', en: 'Net weight', zh: '净重' },
  results: { ru: 'Результаты контроля и испытаний', en: 'Inspection and laboratory results', zh: '检验和化验结果' },
  inspection: { ru: 'Проверка', en: 'Inspection', zh: '检验' },
  parameter: { ru: 'Показатель', en: 'Parameter', zh: '项目' },
  result: { ru: 'Результат', en: 'Result', zh: '结果' },
  limits: { ru: 'Норма', en: 'Limits', zh: '标准' },
  verdict: { ru: 'Заключение', en: 'Verdict', zh: '判定' },
  pass: { ru: 'соответствует', en: 'pass', zh: '合格' },
  fail: { ru: 'не соответствует', en: 'fail', zh: '不合格' },
  info: { ru: 'к сведению', en: 'info', zh: '备注' },
  yes: { ru: 'да', en: 'yes', zh: '是' },
  no: { ru: 'нет', en: 'no', zh: '否' },
  incoming: { ru: 'входной контроль', en: 'incoming', zh: '进货检验' },
  in_process: { ru: 'производственный контроль', en: 'in-process', zh: '过程检验' },
  final: { ru: 'приёмочный контроль', en: 'final', zh: '成品检验' },
  inspector: { ru: 'Контролёр', en: 'Inspector', zh: '检验员' },
  verifier: { ru: 'Проверил', en: 'Verified by', zh: '复核人' },
  statement: {
    ru: 'Продукция изготовлена, проверена и признана соответствующей установленным требованиям.',
    en: 'The products were produced, inspected and found to comply with the established requirements.',
    zh: '上述产品经生产、检验，符合规定要求。',
  },
  signatory: { ru: 'Подпись уполномоченного лица', en: 'Authorised signatory', zh: '授权签字人' },
  stamp: { ru: 'М.П.', en: 'Stamp', zh: '盖章' },
  hash: { ru: 'Контрольная сумма SHA-256 данных сертификата', en: 'SHA-256 of the certificate data', zh: '证书数据SHA-256校验值' },
} as const satisfies Record<string, Record<DocLang, string>>;

export type CertificateWord = keyof typeof CERTIFICATE;

/** A certificate word in one language. */
export function certificateWord(word: CertificateWord, lang: DocLang): string {
  return CERTIFICATE[word][lang];
}

/**
 * What a reissued document prints near its number, so a reader holding two PDFs of one number
 * knows which is current: "Version 2 (replaces version 1)". Null for the first version.
 */
export function versionNote(version: number, lang: DocLang): string | null {
  if (version <= 1) return null;
  const previous = version - 1;
  return { ru: `Версия ${version} (заменяет версию ${previous})`, en: `Version ${version} (replaces version ${previous})`, zh: `第${version}版（替代第${previous}版）` }[lang];
}
