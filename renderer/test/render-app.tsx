import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../src/app/App';
import type { ApiEvent, ApiEvents } from '../../electron/shared/contract';
import type { FakeApi } from './fake-api';

/** Renders the whole window on a screen (as its address would), and waits for the overview. */
export async function renderApp(api: FakeApi, screenId?: 'connection' | 'objects' | 'schedule' | 'log' | 'data') {
  window.history.replaceState(null, '', screenId ? `/#/${screenId}` : '/');
  const user = userEvent.setup();
  const result = render(<App api={api} />);
  await screen.findByRole('navigation', { name: 'Screens' });
  return { user, ...result };
}

/** Pushes an event from the fake back end inside act(), as React wants for state updates. */
export function emit<E extends ApiEvent>(api: FakeApi, event: E, payload: ApiEvents[E]) {
  act(() => api.emit(event, payload));
}
