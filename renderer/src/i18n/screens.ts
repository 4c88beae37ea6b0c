// Each screen's words, registered here (one import per screen file).
interface Words {
  ru: Record<string, unknown>;
  en: Record<string, unknown>;
}
export const screens: Words[] = [];
