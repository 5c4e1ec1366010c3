// The contract's history.* handlers over the app's HistoryFeed (history is not a service of its
// own: it has no remote side, see feed.ts).
import { ApiError } from '../../shared/api';
import type { Handlers } from '../transport/dispatch';
import type { HistoryFeed } from './feed';

export function historyHandlers(
  history: HistoryFeed,
): Pick<Handlers, 'history.query' | 'history.sessions' | 'history.status' | 'history.names' | 'history.icons'> {
  return {
    'history.query': (q) =>
      history
        .require()
        .queryOffThread(q)
        .catch((e: Error) => {
          throw new ApiError('unavailable', e.message);
        }),
    'history.sessions': () => history.require().sessionList(),
    'history.status': () => history.store?.status() ?? null,
    'history.names': () => history.names(),
    'history.icons': (q) => history.icons(q.items),
  };
}
