import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import { initialLang } from './i18n';
import { App } from './app/App';
import './styles.css';

document.documentElement.lang = initialLang;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
