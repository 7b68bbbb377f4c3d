// The renderer's entry point: picks the transport first (on the bridge that consumes `#token=`
// before the router reads the hash), then mounts <App />.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api/client.js';
import { App } from './App.js';
import './styles.css';

// Pick the transport now: on the bridge this consumes `#token=...` from the
// address bar before the router ever reads the hash.
void api.transport;

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
