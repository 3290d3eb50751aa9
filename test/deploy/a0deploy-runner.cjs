'use strict';
/**
 * Runs Auth0's Deploy CLI (`auth0-deploy-cli`, unchanged) for the tests, in a process of its own that
 * takes one command at a time over IPC: `{ id, command: 'export' | 'import', params }`, where
 * `params` are the bin's options (`format`, `output_folder`, `input_file`, `config_file`). It answers
 * `{ id, ok, output }` with what the tool logged during that command.
 *
 * Why a process of its own: run in the test process beside the server, Node 20 aborted on an
 * async-hooks assertion during an import. Why one process for many commands: the tool checks its
 * input against its whole JSON schema with a fresh ajv instance twice per import, and compiling that
 * schema costs tens of seconds of CPU each time. Here a validator compiled from a schema object is
 * kept and reused for the same object, which validates exactly as a fresh compile would (same schema,
 * same options), so the test pays for one compile.
 */
const path = require('node:path');

const toolDir = path.dirname(require.resolve('auth0-deploy-cli/package.json'));
const Ajv = require(require.resolve('ajv/lib/ajv', { paths: [toolDir] }));
const compiled = new WeakMap();
const validate = Ajv.prototype.validate;
Ajv.prototype.validate = function (schema, data) {
  if (schema === null || typeof schema !== 'object') return validate.call(this, schema, data);
  let v = compiled.get(schema);
  if (!v) {
    v = this.compile(schema);
    compiled.set(schema, v);
  }
  const ok = v(data);
  this.errors = v.errors;
  return ok;
};

const tool = require('auth0-deploy-cli').default;

// The tool logs through winston to the console; the lines of one command go back with its answer.
let output = [];
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, cb) => {
    output.push(String(chunk));
    if (typeof encoding === 'function') encoding();
    else if (typeof cb === 'function') cb();
    return true;
  };
}

process.on('message', async ({ id, command, params }) => {
  output = [];
  try {
    await tool[command]({ _: [command], ...params });
    process.send({ id, ok: true, output: output.join('') });
  } catch (err) {
    process.send({ id, ok: false, output: `${output.join('')}\n${err && err.stack ? err.stack : String(err)}` });
  }
});
process.send({ ready: true });
