import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, storedTheme } from './shell/theme';
import { connectStore } from './store';
import './styles.css';

// Before the first paint, so a light-theme user never sees a dark frame.
applyTheme(storedTheme());
connectStore();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
