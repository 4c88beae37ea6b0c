// Each screen's words, registered here (one import per screen file).
interface Words {
  ru: Record<string, unknown>;
  en: Record<string, unknown>;
}
export const screens: Words[] = [];
import { quality } from './quality';
screens.push(quality);
import { shipments } from './shipments';
screens.push(shipments);
import { dashboard } from './dashboard';
screens.push(dashboard);
import { settings } from './settings';
screens.push(settings);
import { receiptsWords } from './receipts';
screens.push(receiptsWords);
import { stockWords } from './stock';
screens.push(stockWords);
import { traceWords } from './trace';
screens.push(traceWords);
import { production } from './production';
screens.push(production);
import { devicesWords } from './devices';
screens.push(devicesWords);
import { temperatureWords } from './temperature';
screens.push(temperatureWords);
import { documentsWords } from './documents';
screens.push(documentsWords);
import { pdfWords } from './pdf';
screens.push(pdfWords);
import { exchange1cWords } from './exchange1c';
screens.push(exchange1cWords);
import { labelsWords } from './labels';
screens.push(labelsWords);
import { syncWords } from './sync';
screens.push(syncWords);
