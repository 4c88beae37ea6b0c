// Reference data of the two first plants — the Lake Baikal fish plant and the Buryat meat plant —
// and their Chinese importers. Used by `plantdesk demo seed` and by the tests. Registration
// numbers here are demo values: an administrator enters the real ones.
import { gs1CheckDigit } from '../contract/check-digits.js';
import type { OperationInput } from '../contract/operations.js';

/** A GTIN-14 from its first 13 digits. */
export function gtinWithCheckDigit(body13: string): string {
  return body13 + String(gs1CheckDigit(body13));
}

export const FISH_SITE: OperationInput<'sites.upsert'> = {
  code: 'BFP',
  name_ru: 'ООО «Байкальский рыбный завод»',
  name_en: 'Baikal Fish Plant LLC',
  name_zh: '贝加尔鱼类加工厂有限责任公司',
  address_ru: '664520, Иркутская область, Иркутский район, п. Листвянка, ул. Горького, 1',
  address_en: '1 Gorkogo St, Listvyanka, Irkutsk Region, 664520, Russia',
  address_zh: '俄罗斯伊尔库茨克州利斯特维扬卡镇高尔基街1号',
  country: 'RU',
  region: 'Иркутская область',
  china_reg_no: 'CRU0380000123',
  vet_approval_no: '38-01-03',
  phone: '+7 3952 000-000',
};

export const MEAT_SITE: OperationInput<'sites.upsert'> = {
  code: 'BMP',
  name_ru: 'АО «Бурятмясопром»',
  name_en: 'Buryatmyasoprom JSC',
  name_zh: '布里亚特肉类工业股份公司',
  address_ru: '670000, Республика Бурятия, г. Улан-Удэ, ул. Производственная, 10',
  address_en: '10 Proizvodstvennaya St, Ulan-Ude, Republic of Buryatia, 670000, Russia',
  address_zh: '俄罗斯布里亚特共和国乌兰乌德市工业街10号',
  country: 'RU',
  region: 'Республика Бурятия',
  china_reg_no: 'CRU0300000456',
  vet_approval_no: '03-01-07',
  phone: '+7 3012 000-000',
};

type Product = OperationInput<'products.upsert'>;

const fish = (p: Omit<Product, 'production_method' | 'catch_weight' | 'unit'>): Product => ({
  production_method: 'wild',
  catch_weight: 1,
  unit: 'kg',
  ...p,
});

export const FISH_PRODUCTS: Product[] = [
  fish({
    code: 'OMUL-RAW',
    kind: 'raw',
    name_ru: 'Омуль байкальский охлаждённый',
    name_en: 'Chilled Baikal omul',
    name_zh: '冰鲜贝加尔秋白鲑',
    latin_name: 'Coregonus migratorius',
    hs_code: '030219',
    shelf_life_days: 5,
    storage_temp_min: 0,
    storage_temp_max: 4,
  }),
  fish({
    code: 'WFISH-RAW',
    kind: 'raw',
    name_ru: 'Сиг байкальский охлаждённый',
    name_en: 'Chilled Baikal whitefish',
    name_zh: '冰鲜贝加尔白鲑',
    latin_name: 'Coregonus baicalensis',
    hs_code: '030219',
    shelf_life_days: 5,
    storage_temp_min: 0,
    storage_temp_max: 4,
  }),
  fish({
    code: 'OMUL-HS',
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700100001'),
    name_ru: 'Омуль байкальский горячего копчения',
    name_en: 'Hot-smoked Baikal omul',
    name_zh: '热熏贝加尔秋白鲑',
    latin_name: 'Coregonus migratorius',
    hs_code: '030549',
    shelf_life_days: 10,
    storage_temp_min: 0,
    storage_temp_max: 3.3,
  }),
  fish({
    code: 'OMUL-CS',
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700100002'),
    name_ru: 'Омуль байкальский холодного копчения',
    name_en: 'Cold-smoked Baikal omul',
    name_zh: '冷熏贝加尔秋白鲑',
    latin_name: 'Coregonus migratorius',
    hs_code: '030549',
    shelf_life_days: 30,
    storage_temp_min: 0,
    storage_temp_max: 3.3,
  }),
  fish({
    code: 'OMUL-FZ',
    restarts_shelf_life: 1,
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700100003'),
    name_ru: 'Омуль байкальский мороженый',
    name_en: 'Frozen Baikal omul',
    name_zh: '冷冻贝加尔秋白鲑',
    latin_name: 'Coregonus migratorius',
    hs_code: '030389',
    shelf_life_days: 270,
    storage_temp_min: -25,
    storage_temp_max: -18,
  }),
  fish({
    code: 'WFISH-FZ',
    restarts_shelf_life: 1,
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700100004'),
    name_ru: 'Сиг байкальский мороженый',
    name_en: 'Frozen Baikal whitefish',
    name_zh: '冷冻贝加尔白鲑',
    latin_name: 'Coregonus baicalensis',
    hs_code: '030389',
    shelf_life_days: 270,
    storage_temp_min: -25,
    storage_temp_max: -18,
  }),
];

export const MEAT_PRODUCTS: Product[] = [
  {
    code: 'BEEF-HALF',
    kind: 'raw',
    name_ru: 'Говядина в полутушах охлаждённая',
    name_en: 'Chilled beef half carcasses',
    name_zh: '冰鲜牛肉二分体',
    hs_code: '020120',
    shelf_life_days: 12,
    storage_temp_min: -1,
    storage_temp_max: 4,
    catch_weight: 1,
    unit: 'kg',
  },
  {
    code: 'BEEF-STRIP-FZ',
    restarts_shelf_life: 1,
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700200001'),
    name_ru: 'Говядина бескостная мороженая: толстый край',
    name_en: 'Frozen boneless beef striploin',
    name_zh: '冷冻去骨牛外脊',
    hs_code: '020230',
    shelf_life_days: 365,
    storage_temp_min: -25,
    storage_temp_max: -18,
    catch_weight: 1,
    unit: 'kg',
  },
  {
    code: 'BEEF-TEND-FZ',
    restarts_shelf_life: 1,
    kind: 'finished',
    gtin: gtinWithCheckDigit('0460700200002'),
    name_ru: 'Говядина бескостная мороженая: вырезка',
    name_en: 'Frozen boneless beef tenderloin',
    name_zh: '冷冻去骨牛里脊',
    hs_code: '020230',
    shelf_life_days: 365,
    storage_temp_min: -25,
    storage_temp_max: -18,
    catch_weight: 1,
    unit: 'kg',
  },
];

export const PARTNERS: OperationInput<'partners.upsert'>[] = [
  {
    code: 'ARTEL-BAIKAL',
    is_supplier: 1,
    name_ru: 'Рыболовецкая артель «Байкал»',
    name_en: 'Fishing cooperative Baikal',
    address_ru: 'Республика Бурятия, Кабанский район, с. Сухая',
    country: 'RU',
    tax_id: '0309000001',
  },
  {
    code: 'RK-CHIVYRKUY',
    is_supplier: 1,
    name_ru: 'ООО «Рыбколхоз Чивыркуй»',
    name_en: 'Chivyrkuy Fishing Farm LLC',
    address_ru: 'Республика Бурятия, Баргузинский район, с. Курбулик',
    country: 'RU',
    tax_id: '0301000002',
  },
  {
    code: 'SPK-KABANSK',
    is_supplier: 1,
    name_ru: 'СПК «Кабанский»',
    name_en: 'Kabansky Agricultural Cooperative',
    address_ru: 'Республика Бурятия, Кабанский район, с. Кабанск',
    country: 'RU',
    tax_id: '0309000003',
  },
  {
    code: 'HENGTAI',
    is_customer: 1,
    is_consignee: 1,
    name_ru: 'Маньчжурская торговая компания «Хэнтай»',
    name_en: 'Manzhouli Hengtai Trading Co., Ltd.',
    name_zh: '满洲里恒泰贸易有限公司',
    address_en: '18 Xinhua Road, Manzhouli, Inner Mongolia, China',
    address_zh: '中国内蒙古满洲里市新华路18号',
    country: 'CN',
    tax_id: '91150781000000001X',
    contact: '+86 470 000 0000',
  },
  {
    code: 'HRB-SEAFOOD',
    is_customer: 1,
    name_ru: 'Харбинская компания северных морепродуктов',
    name_en: 'Harbin Northern Seafood Import & Export Co., Ltd.',
    name_zh: '哈尔滨北方海产品进出口有限公司',
    address_en: '66 Hongqi Street, Daoli District, Harbin, Heilongjiang, China',
    address_zh: '中国黑龙江省哈尔滨市道里区红旗大街66号',
    country: 'CN',
    tax_id: '91230100000000002Y',
  },
  {
    code: 'DL-COLDCHAIN',
    is_consignee: 1,
    name_ru: 'Даляньская холодильная логистика',
    name_en: 'Dalian Cold Chain Logistics Co., Ltd.',
    name_zh: '大连冷链物流有限公司',
    address_en: '9 Gangwan Street, Zhongshan District, Dalian, Liaoning, China',
    address_zh: '中国辽宁省大连市中山区港湾街9号',
    country: 'CN',
  },
];

export const FISH_LOCATIONS: OperationInput<'locations.upsert'>[] = [
  { code: 'BF-QUAR', name: 'Камера карантина сырья', kind: 'quarantine', temp_min: 0, temp_max: 4 },
  { code: 'BF-CR1', name: 'Холодильная камера №1 (охлаждённая рыба)', kind: 'cold_room', temp_min: 0, temp_max: 4 },
  { code: 'BF-CR2', name: 'Холодильная камера №2 (копчёная рыба)', kind: 'cold_room', temp_min: 0, temp_max: 3.3 },
  { code: 'BF-FZ1', name: 'Морозильная камера №1', kind: 'freezer', temp_min: -25, temp_max: -18 },
  { code: 'BF-DOCK', name: 'Экспедиция', kind: 'dock', temp_min: 0, temp_max: 6 },
];

export const MEAT_LOCATIONS: OperationInput<'locations.upsert'>[] = [
  { code: 'BM-CR1', name: 'Камера охлаждения полутуш', kind: 'cold_room', temp_min: -1, temp_max: 4 },
  { code: 'BM-FZ1', name: 'Морозильная камера готовой продукции', kind: 'freezer', temp_min: -25, temp_max: -18 },
];

export const FISH_EQUIPMENT: OperationInput<'equipment.upsert'>[] = [
  { code: 'BF-SMOKER-1', name: 'Коптильная камера №1 (горячее копчение)', kind: 'smoker', capacity_g: 400_000 },
  { code: 'BF-SMOKER-2', name: 'Коптильная камера №2 (холодное копчение)', kind: 'smoker', capacity_g: 300_000 },
  { code: 'BF-FREEZER', name: 'Скороморозильный туннель', kind: 'freezer', capacity_g: 2_000_000 },
];

export const MEAT_EQUIPMENT: OperationInput<'equipment.upsert'>[] = [
  { code: 'BM-CUT-LINE', name: 'Линия обвалки и жиловки', kind: 'line', capacity_g: 5_000_000 },
  { code: 'BM-BLAST', name: 'Шоковая заморозка', kind: 'freezer', capacity_g: 3_000_000 },
];

type Template = OperationInput<'templates.upsert'>;

const organoleptic = {
  code: 'ORGANOLEPTIC',
  name_ru: 'Органолептика в норме',
  name_en: 'Organoleptic properties normal',
  name_zh: '感官正常',
  kind: 'pass_fail' as const,
};

export const TEMPLATES: Template[] = [
  {
    code: 'IN-FISH',
    stage: 'incoming',
    name_ru: 'Входной контроль рыбы-сырца',
    name_en: 'Incoming inspection of raw fish',
    parameters: [
      { code: 'CORE_TEMP', name_ru: 'Температура в толще', name_en: 'Core temperature', name_zh: '中心温度', kind: 'numeric', unit: '°C', min_value: 0, max_value: 4 },
      organoleptic,
      { code: 'PARASITES', name_ru: 'Паразиты не обнаружены', name_en: 'No parasites found', name_zh: '未检出寄生虫', kind: 'pass_fail' },
      { code: 'VET_DOC', name_ru: 'ВСД погашен в «Меркурии»', name_en: 'Vet document redeemed in Mercury', kind: 'pass_fail' },
      { code: 'REMARK', name_ru: 'Примечание', name_en: 'Remark', kind: 'text', required: 0 },
    ],
  },
  {
    code: 'IN-BEEF',
    product: 'BEEF-HALF',
    stage: 'incoming',
    name_ru: 'Входной контроль говядины',
    name_en: 'Incoming inspection of beef',
    parameters: [
      { code: 'CORE_TEMP', name_ru: 'Температура в толще мышц', name_en: 'Deep muscle temperature', name_zh: '肌肉中心温度', kind: 'numeric', unit: '°C', min_value: -1, max_value: 4 },
      { code: 'PH', name_ru: 'pH мышечной ткани', name_en: 'Muscle pH', name_zh: 'pH值', kind: 'numeric', min_value: 5.4, max_value: 6.2, test_code: 'PH' },
      organoleptic,
      { code: 'VET_DOC', name_ru: 'ВСД погашен в «Меркурии»', name_en: 'Vet document redeemed in Mercury', kind: 'pass_fail' },
    ],
  },
  {
    code: 'FIN-SMOKED',
    stage: 'final',
    name_ru: 'Приёмочный контроль копчёной рыбы',
    name_en: 'Final inspection of smoked fish',
    parameters: [
      { code: 'SALT', name_ru: 'Массовая доля соли', name_en: 'Salt content', name_zh: '盐分', kind: 'numeric', unit: '%', min_value: 1.5, max_value: 5, test_code: 'NACL' },
      { code: 'MOISTURE', name_ru: 'Массовая доля влаги', name_en: 'Moisture', name_zh: '水分', kind: 'numeric', unit: '%', min_value: 50, max_value: 70, test_code: 'H2O' },
      { code: 'TVBN', name_ru: 'Общий летучий азот', name_en: 'Total volatile basic nitrogen', name_zh: '挥发性盐基氮', kind: 'numeric', unit: 'mg/100 g', min_value: null, max_value: 25, test_code: 'TVBN' },
      { code: 'LISTERIA', name_ru: 'L. monocytogenes в 25 г не обнаружены', name_en: 'L. monocytogenes not detected in 25 g', name_zh: '单核细胞增生李斯特菌未检出', kind: 'pass_fail', test_code: 'LMONO' },
      organoleptic,
    ],
  },
  {
    code: 'FIN-FROZEN',
    stage: 'final',
    name_ru: 'Приёмочный контроль мороженой продукции',
    name_en: 'Final inspection of frozen products',
    parameters: [
      { code: 'CORE_TEMP', name_ru: 'Температура в толще продукта', name_en: 'Core temperature', name_zh: '中心温度', kind: 'numeric', unit: '°C', min_value: null, max_value: -18 },
      { code: 'GLAZE', name_ru: 'Массовая доля глазури', name_en: 'Glaze', name_zh: '镀冰衣', kind: 'numeric', unit: '%', min_value: 0, max_value: 5 },
      { code: 'SALMONELLA', name_ru: 'Сальмонеллы в 25 г не обнаружены', name_en: 'Salmonella not detected in 25 g', name_zh: '沙门氏菌未检出', kind: 'pass_fail', test_code: 'SALM' },
      organoleptic,
    ],
  },
];
