// The renderer's entry point: picks the transport (Electron's preload or the local bridge), then mounts <App />.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api/client.js';
import { App } from './App.js';
import './styles.css';

// Pick the transport now, before anything renders.
void api.transport;

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
