/** Reading the deploy history for `chartroom deploy history` and the dashboard. */
import { openStore, type Store } from '../../store/index.js';
import { DeployHistory, type DeployRecord, type HistoryFilter } from './history.js';

export async function deployHistory(options: {
  store?: Store;
  processEnv?: NodeJS.ProcessEnv;
  filter?: HistoryFilter;
}): Promise<DeployRecord[]> {
  const store = options.store ?? (await openStore({ env: options.processEnv ?? process.env }));
  try {
    return await (await DeployHistory.open(store)).list(options.filter ?? {});
  } finally {
    if (options.store === undefined) await store.close();
  }
}
