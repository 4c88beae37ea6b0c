// Error codes and their readable messages. Pure: shared by every host and the renderer.
// Errors cross process boundaries as values (`{ ok: false, error }`), never as thrown objects,
// so everything a user needs to read must be in here.

const SEPARATOR = '\u241f';

/**
 * Words in both languages where only one string fits: a schema's custom message (zod keeps one
 * string per issue) or an error parameter (`makeError` puts each language into its own message).
 */
export function say(ru: string, en: string): string {
  return `${ru}${SEPARATOR}${en}`;
}

/** The message of one language from a `say()` string; plain strings are returned as they are. */
export function inLanguage(message: string, lang: 'ru' | 'en'): string {
  const at = message.indexOf(SEPARATOR);
  if (at < 0) return message;
  return lang === 'ru' ? message.slice(0, at) : message.slice(at + SEPARATOR.length);
}

export type ErrorParams = Record<string, string | number>;

interface MessagePair {
  ru: string;
  en: string;
}

export const ERROR_MESSAGES = {
  VALIDATION: { ru: 'Неверные данные: {details}', en: 'Invalid input: {details}' },
  UNKNOWN_OPERATION: { ru: 'Неизвестная операция «{operation}»', en: 'Unknown operation "{operation}"' },
  UNAUTHENTICATED: { ru: 'Требуется вход в систему', en: 'You need to log in' },
  BAD_CREDENTIALS: { ru: 'Неверное имя пользователя или пароль', en: 'Wrong user name or password' },
  SESSION_EXPIRED: { ru: 'Сеанс истёк, войдите снова', en: 'Your session has expired, log in again' },
  FORBIDDEN: {
    ru: 'Недостаточно прав: для операции «{operation}» нужно право «{permission}»',
    en: 'Not allowed: operation "{operation}" needs permission "{permission}"',
  },
  NOT_FOUND: { ru: '{entity} не найден(а): {key}', en: '{entity} not found: {key}' },
  DUPLICATE: { ru: '{entity} с кодом «{key}» уже существует', en: '{entity} with code "{key}" already exists' },
  SETUP_DONE: {
    ru: 'Администратор уже создан; новых пользователей добавляет администратор',
    en: 'The administrator already exists; new users are added by an administrator',
  },
  WORKSPACE_NOT_INITIALISED: {
    ru: 'Рабочая база не инициализирована: выполните «plantdesk workspace init»',
    en: 'The workspace is not initialised: run "plantdesk workspace init"',
  },
  WORKSPACE_TOO_NEW: {
    ru: 'Рабочая база создана более новой версией PlantDesk (схема {found}, эта программа знает до {known}). Обновите PlantDesk; база не изменена.',
    en: 'This workspace was written by a newer PlantDesk (schema {found}; this app knows up to {known}). Update PlantDesk; the workspace was not changed.',
  },
  WRONG_PRODUCT_KIND: {
    ru: 'Продукт «{product}» имеет вид «{kind}», а здесь нужен «{expected}»',
    en: 'Product "{product}" is of kind "{kind}", but "{expected}" is needed here',
  },
  WRONG_PARTNER_ROLE: {
    ru: 'Контрагент «{partner}» не является «{role}»',
    en: 'Partner "{partner}" is not a {role}',
  },
  WEIGHT_INCONSISTENT: {
    ru: 'Масса нетто {net} г не равна брутто {gross} г минус тара {tare} г',
    en: 'Net weight {net} g is not gross {gross} g minus tare {tare} g',
  },
  LOT_NOT_RELEASED: {
    ru: 'Партия {lot} в статусе «{status}»: использовать можно только допущенные партии',
    en: 'Lot {lot} is "{status}": only released lots can be used',
  },
  LOT_EXPIRED: {
    ru: 'Срок годности партии {lot} истёк {expires}',
    en: 'Lot {lot} expired on {expires}',
  },
  INSUFFICIENT_STOCK: {
    ru: 'Недостаточно остатка партии {lot} в {location}: есть {available} г, нужно {requested} г',
    en: 'Not enough of lot {lot} in {location}: {available} g available, {requested} g requested',
  },
  STOCK_RESERVED: {
    ru: 'Недостаточно свободного остатка партии {lot}: на складе {in_stock} г, из них {reserved} г уже в черновиках отгрузок ({shipments}); доступно {available} г, нужно {requested} г',
    en: 'Not enough free stock of lot {lot}: {in_stock} g in stock, of which {reserved} g is already on draft shipments ({shipments}); {available} g available, {requested} g requested',
  },
  EQUIPMENT_BOOKED: {
    ru: 'Оборудование «{equipment}» уже занято партией {batch} с {from} по {to}',
    en: 'Equipment "{equipment}" is already booked by batch {batch} from {from} to {to}',
  },
  INVALID_PERIOD: {
    ru: 'Окончание ({end}) должно быть позже начала ({start})',
    en: 'The end ({end}) must be after the start ({start})',
  },
  INVALID_STATE: {
    ru: '{entity} {key} в состоянии «{state}»: действие «{action}» невозможно',
    en: '{entity} {key} is "{state}": cannot {action}',
  },
  LOT_NOT_FROM_BATCH_PRODUCT: {
    ru: 'Партия {lot} относится к продукту «{product}», а выпуск — «{expected}»',
    en: 'Lot {lot} is product "{product}" but the batch produces "{expected}"',
  },
  INSPECTION_INCOMPLETE: {
    ru: 'Не заполнены обязательные показатели: {parameters}',
    en: 'Required parameters are missing: {parameters}',
  },
  RESULT_TYPE: {
    ru: 'Показатель «{parameter}» ожидает значение типа «{kind}»',
    en: 'Parameter "{parameter}" expects a value of kind "{kind}"',
  },
  VERIFIER_IS_INSPECTOR: {
    ru: 'Проверку подтверждает другой сотрудник, не контролёр {user}',
    en: 'The verification must be signed by someone other than the inspector {user}',
  },
  OTHER_SITE: {
    ru: '{entity} {key} принадлежит площадке {site}: изменять это могут только пользователи той площадки',
    en: '{entity} {key} belongs to site {site}: only that site’s users can change it',
  },
  NOT_VERIFIED: {
    ru: 'Итоговая проверка партии {lot} не подтверждена вторым сотрудником',
    en: 'The final inspection of lot {lot} has not been verified by a second person',
  },
  SAME_LOCATION: {
    ru: 'Место отправления и назначения совпадают',
    en: 'The source and destination locations are the same',
  },
  SHIPMENT_EMPTY: { ru: 'В отгрузке нет строк', en: 'The shipment has no lines' },
  LAST_ADMIN: {
    ru: 'Нельзя отключить последнего администратора',
    en: 'The last administrator cannot be disabled',
  },
  DEVICES_UNAVAILABLE: {
    ru: 'Операция «{operation}» работает с оборудованием и доступна только в приложении на этом ПК',
    en: 'Operation "{operation}" works with hardware and is only available in the app on this PC',
  },
  SERVICE_UNAVAILABLE: {
    ru: 'Операция «{operation}» выполняется службой приложения ({service}) и здесь недоступна',
    en: 'Operation "{operation}" runs in the app\'s {service} service and is not available here',
  },
  DEVICE_NOT_FOUND: { ru: 'Устройство «{device}» не настроено на этом ПК', en: 'Device "{device}" is not set up on this PC' },
  DEVICE_WRONG_KIND: { ru: 'Устройство «{device}» — не {kind}', en: 'Device "{device}" is not a {kind}' },
  DEVICE_OFFLINE: { ru: 'Устройство «{device}» не подключено: {reason}', en: 'Device "{device}" is not connected: {reason}' },
  DEVICE_FAILED: { ru: 'Устройство «{device}»: {reason}', en: 'Device "{device}": {reason}' },
  WEIGHT_NOT_STABLE: { ru: 'Вес не установился — дождитесь успокоения весов', en: 'The weight is not stable — wait for the scale to settle' },
  WEIGHT_NO_READING: {
    ru: 'Весы «{device}» не присылают вес (последний — {ago} назад)',
    en: 'Scale "{device}" is not sending weights (last one {ago} ago)',
  },
  WEIGHT_OVERLOAD: { ru: 'Перегрузка весов', en: 'The scale is overloaded' },
  WEIGHT_UNDERLOAD: { ru: 'Вес ниже нуля — обнулите весы', en: 'The weight is below zero — zero the scale' },
  WEIGHT_SCALE_ERROR: { ru: 'Весы сообщают ошибку: {reason}', en: 'The scale reports an error: {reason}' },
  WEIGHT_TARE_UNKNOWN: {
    ru: 'Весы «{device}» показывают вес нетто, не сообщая тару — снимите тару на весах или взвесьте брутто',
    en: 'Scale "{device}" shows a net weight without telling its tare — remove the tare on the scale or weigh gross',
  },
  WEIGHT_OUT_OF_RANGE: {
    ru: 'Вес {weight} кг вне диапазона весов ({min}–{max} кг)',
    en: 'Weight {weight} kg is outside the scale range ({min}–{max} kg)',
  },
  HQ_UNREACHABLE: {
    ru: 'Сервер центрального офиса {server} недоступен: {reason}',
    en: 'The headquarters server {server} cannot be reached: {reason}',
  },
  HQ_SCHEMA_TOO_NEW: {
    ru: 'Центральная база обновлена более новой версией PlantDesk (миграция «{found}», эта программа знает {known}). Обновите PlantDesk; база не изменена.',
    en: 'The central database was migrated by a newer PlantDesk (migration "{found}"; this app knows {known}). Update PlantDesk; the database was not changed.',
  },
  SYNC_NOT_CONFIGURED: {
    ru: 'Синхронизация не настроена: укажите адрес сервера центрального офиса и ключ доступа (раздел «Синхронизация»)',
    en: 'Synchronisation is not set up: enter the headquarters server address and access key (the Synchronisation screen)',
  },
  SYNC_UNAUTHORIZED: {
    ru: 'Сервер центрального офиса не принял ключ доступа: {reason}. Попросите администратора выдать новый ключ',
    en: 'The headquarters server refused the access key: {reason}. Ask the administrator for a new key',
  },
  SYNC_CLIENT_TOO_OLD: {
    ru: 'Эта версия PlantDesk (схема {client}) устарела для сервера центрального офиса (принимает {accepted}). Обновите PlantDesk: изменения сохранены на этом ПК и будут отправлены после обновления',
    en: 'This PlantDesk (schema {client}) is too old for the headquarters server (accepts {accepted}). Update PlantDesk: the changes are kept on this PC and will be sent after the update',
  },
  SYNC_SERVER_TOO_OLD: {
    ru: 'Сервер центрального офиса работает на более старой версии PlantDesk (схема {server}, эта программа {client}). Обновите сервер; изменения сохранены на этом ПК',
    en: 'The headquarters server runs an older PlantDesk (schema {server}, this app {client}). Update the server; the changes are kept on this PC',
  },
  SYNC_GAP: {
    ru: 'Сервер ждал изменение № {expected} от этого ПК, а получил начиная с № {got}. Изменения не приняты; обратитесь к администратору',
    en: 'The server expected change {expected} from this PC but got changes from {got}. Nothing was accepted; contact the administrator',
  },
  SYNC_BAD_REQUEST: {
    ru: 'Сервер центрального офиса отклонил запрос: {details}',
    en: 'The headquarters server refused the request: {details}',
  },
  SYNC_FAILED: {
    ru: 'Синхронизация прервана: {reason}. Ничего не потеряно, она продолжится со следующей попытки',
    en: 'Synchronisation was interrupted: {reason}. Nothing was lost; it goes on with the next attempt',
  },
  SYNC_BUSY: {
    ru: 'Синхронизация уже идёт',
    en: 'Synchronisation is already running',
  },
  SYNC_WORKSPACE_NOT_EMPTY: {
    ru: 'Рабочее место в {dir} уже создано: начальная загрузка с сервера возможна только в новую папку',
    en: 'A workspace already exists in {dir}: a bootstrap from the server needs a new folder',
  },
  TOO_MANY_PAGES: {
    ru: 'В PDF {pages} стр.: через окно печати печатается не больше {max} стр. за раз. Этикетки печатайте на принтере этикеток или сохраните PDF и напечатайте его частями',
    en: 'The PDF has {pages} pages: at most {max} print at a time through the print dialog. Print labels on the label printer, or save the PDF and print it in parts',
  },
  INTERNAL: {
    ru: 'Внутренняя ошибка: {details}. Данные не изменены.',
    en: 'Internal error: {details}. Nothing was changed.',
  },
} as const satisfies Record<string, MessagePair>;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export interface OperationError {
  code: ErrorCode;
  message: { ru: string; en: string };
  /** Which input field the error belongs to (dotted path), so a form can show it in place. */
  field?: string;
  /** The message's parameters, for programs; one given with `say()` holds its English words. */
  params?: ErrorParams;
  /** For VALIDATION: each problem on its own, so a form can put each under its field. */
  issues?: { field: string; message: { ru: string; en: string } }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: OperationError };

/** Puts `params` into the `{name}` placeholders of a message template (unknown ones stay as they are). */
export function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

/** The parameters as one language reads them: each `say()` value gives its own words. */
function paramsIn(params: ErrorParams, lang: 'ru' | 'en'): ErrorParams {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typeof value === 'string' ? inLanguage(value, lang) : value]));
}

/**
 * A refusal with its message in each language. A parameter made with `say(ru, en)` puts its
 * Russian words into the Russian message and its English words into the English one; `params`
 * keeps the English words (as a device error does), so no combined string reaches anyone.
 */
export function makeError(code: ErrorCode, params: ErrorParams = {}, field?: string): OperationError {
  const pair = ERROR_MESSAGES[code];
  const en = paramsIn(params, 'en');
  const error: OperationError = {
    code,
    message: { ru: fill(pair.ru, paramsIn(params, 'ru')), en: fill(pair.en, en) },
    params: en,
  };
  if (field !== undefined) error.field = field;
  return error;
}
