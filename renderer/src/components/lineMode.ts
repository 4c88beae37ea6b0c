// Whether the touch-friendly line mode is on: components that size themselves in pixels (the
// virtualised table) read it here; everything else follows the `line-mode` class on <body>.
import { createContext, useContext } from 'react';

export const LineModeContext = createContext(false);

export function useLineMode(): boolean {
  return useContext(LineModeContext);
}
