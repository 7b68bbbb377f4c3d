// Toasts: the last few transient notices (success, info, error) and the one way code raises them
// (`toast.error(e)` shows the engine's message and ignores cancelled calls).
import { create } from 'zustand';
import { errorMessage, isAbort } from '../api/client.js';

export type ToastKind = 'error' | 'success' | 'info';
export type Toast = { id: number; kind: ToastKind; title: string | null; message: string };

type ToastState = {
  toasts: Toast[];
  push: (kind: ToastKind, message: string, title?: string) => void;
  dismiss: (id: number) => void;
};

let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (kind, message, title) =>
    set((s) => ({ toasts: [...s.toasts.slice(-4), { id: nextId++, kind, title: title ?? null, message }] })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export const toast = {
  success: (message: string, title?: string): void => useToastStore.getState().push('success', message, title),
  info: (message: string, title?: string): void => useToastStore.getState().push('info', message, title),
  /** Shows the server's message; cancelled requests are not errors. */
  error: (error: unknown, title?: string): void => {
    if (isAbort(error)) return;
    useToastStore.getState().push('error', errorMessage(error), title);
  },
};
