/** The offline map server and a real SMTP server for one test file: started before its tests, closed after. */
import { after, before } from 'node:test';
import { startAmpServer, type AmpServer, type AmpServerOptions } from '../../examples/weather/offline-maps/amp-server.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-server.js';

export function weatherServers(amp: AmpServerOptions): { readonly amp: AmpServer; readonly smtp: TestSmtpServer } {
  const servers = {} as { amp: AmpServer; smtp: TestSmtpServer };
  before(async () => {
    servers.amp = await startAmpServer(amp);
    servers.smtp = await startSmtpServer();
  });
  after(async () => {
    await servers.amp.close();
    await servers.smtp.close();
  });
  return servers;
}
