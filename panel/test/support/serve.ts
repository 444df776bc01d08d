/** Serve the panel on a throwaway database by hand: `node --conditions=@hostplane/source --import tsx panel/test/support/serve.ts`. */
import { startPanelHost } from './panel-host.js';

const host = await startPanelHost();
console.log(`panel at ${host.url}`);
for (const [who, login] of Object.entries(host.logins)) console.log(`  ${who.padEnd(9)} ${login.email} ${login.password}`);
const stop = () => void host.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
