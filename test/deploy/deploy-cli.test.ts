import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { makeSelfSignedCert } from '../helpers/tls.js';
import { handWrittenSuite, HAND_WRITTEN_IP } from './handwritten.suite.js';
import { startA0deploy, type A0deploy } from './helpers.js';
import { ROUND_TRIP_IPS, roundTripSuite } from './roundtrip.suite.js';

/**
 * Auth0's Deploy CLI against unifone (docs/deploy-cli.md): the export/import round trip
 * (roundtrip.suite.ts) and the import of a hand-written tenant.yaml (handwritten.suite.ts), on
 * SQLite and PostgreSQL. One test process for both, so that they share one runner of the tool and
 * its schema is compiled once; every server they start presents one certificate, for all the tenant
 * addresses, which the runner trusts.
 */

const tls = makeSelfSignedCert([...ROUND_TRIP_IPS, HAND_WRITTEN_IP]);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-deploy-'));
let a0: A0deploy | undefined;
before(async () => {
  a0 = await startA0deploy(tls.certFile, work);
});
after(async () => {
  await a0?.close();
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(tls.dir, { recursive: true, force: true });
});

const tool = {
  a0: () => {
    if (!a0) throw new Error('the Deploy CLI runner is not started');
    return a0;
  },
  tls,
  work,
};
roundTripSuite(tool);
await handWrittenSuite(tool);
