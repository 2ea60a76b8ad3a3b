// The README, run as a user runs it: `npm start` in one terminal, then every command block of the README in
// another, exactly as written (only the ports are changed, so the test can run beside a real `npm start`).
// Each block is labelled `<!-- readme-test: NAME -->` in the README and checked by CHECKS[NAME] below; a block
// without a check, or a check without a block, fails the test, so the README cannot drift from what works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { AesGcmCodec, dataConverter, readKeyFile } from '../../src/codec';
import { PROJECT_ROOT, freePorts } from '../../src/temporal/dev-server';
import { waitFor } from '../helpers/stack';
import { cli } from '../helpers/cli';
import type { ArazzoRunResult } from '../../src/client';

// ---------- the README's blocks ----------

interface Block {
  label: string;
  line: number;
  /** commands with their `\` continuations joined, as bash reads them */
  commands: string[];
}

export function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i])) continue;
    const label = /^<!-- readme-test: ([\w-]+) -->$/.exec(lines[i - 1] ?? '')?.[1];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== '```'; j++) body.push(lines[j]);
    const commands: string[] = [];
    let current = '';
    for (const raw of body) {
      current += (current ? '\n' : '') + raw;
      if (raw.endsWith('\\')) continue;
      if (current.trim()) commands.push(current);
      current = '';
    }
    blocks.push({ label: label ?? `(unlabelled block at README.md:${i + 1})`, line: i + 1, commands });
    i = j;
  }
  return blocks;
}

// ---------- the stack: `npm start`, with its ports changed ----------

const TEST_KEY = 'sk-readme-test-key';
let ports: { temporal: number; ui: number; simulator: number; ownSimulator: number; codec: number; ownCodec: number };
let npmStart: ChildProcess & { output: string };
let npmStartCommand = '';
let devPid = 0;
let temporal: Client;
const dataDir = mkdtempSync(join(tmpdir(), 'readme-'));
const blocks = readmeBlocks(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'));

/** The README's ports, changed to this test's. */
function withPorts(command: string): string {
  return command
    .replace(/127\.0\.0\.1:8089/g, `127.0.0.1:${ports.simulator}`)
    .replace(/127\.0\.0\.1:8081/g, `127.0.0.1:${ports.codec}`)
    .replace(/--port 8090\b/g, `--port ${ports.ownSimulator}`)
    .replace(/--port 8081\b/g, `--port ${ports.ownCodec}`);
}

/** The environment of the second terminal: the Temporal address is the only difference. */
function terminalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`, ...extra };
  for (const k of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'TEMPORAL_NAMESPACE', 'ARAZZO_TASK_QUEUE', 'ARAZZO_ACTIVITY_TASK_QUEUE'])
    if (!(k in extra)) delete env[k];
  return env;
}

function spawnLong(command: string, env: NodeJS.ProcessEnv): ChildProcess & { output: string } {
  // its own process group, like a job in a terminal: Ctrl-C (SIGINT to the group) stops it
  const child = spawn('bash', ['-c', command], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string };
  child.output = '';
  child.stdout?.on('data', (c: Buffer) => (child.output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (child.output += c.toString()));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/**
 * Ctrl-C: SIGINT to the process group, as a terminal sends it. Resolves once the group's leader has stopped,
 * with how it stopped. npm and npx end themselves by the signal once their child has stopped, so a graceful
 * stop is exit code 0 or 130, or the SIGINT itself — never the SIGKILL sent when it does not stop in time.
 */
async function ctrlC(child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  const below = descendants(child.pid!);
  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
  const code = await exited(child);
  clearTimeout(timer);
  await waitFor('every process it started to exit', () => below.every((pid) => !alive(pid)), 30_000, 200);
  return code !== null ? `exit ${code}` : `signal ${child.signalCode}`;
}

const STOPPED_GRACEFULLY = /^(exit 0|exit 130|signal SIGINT)$/;

/** Every live process below `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

before(async () => {
  // distinct: ports picked one after another can come back the same (npm start then fails with EADDRINUSE)
  const [server, ui, simulator, ownSimulator, codec, ownCodec] = await freePorts(6);
  ports = { temporal: server, ui, simulator, ownSimulator, codec, ownCodec };
  const block = blocks.find((b) => b.label === 'two-commands');
  assert.ok(block, 'the README has a two-commands block');
  npmStartCommand = block.commands.map((c) => c.replace(/\s+#.*$/, '')).find((c) => c.startsWith('npm start')) ?? '';
  assert.equal(npmStartCommand, 'npm start', 'the README starts the stack with `npm start`');
  // only the ports (and the SQLite file, so a real .data/ is left alone) differ from what the README says
  const command = `${npmStartCommand} -- --port ${ports.temporal} --ui-port ${ports.ui} --simulator-port ${ports.simulator} --codec-port ${ports.codec} --db ${join(dataDir, 'temporal.db')}`;
  npmStart = spawnLong(command, terminalEnv());
  await waitFor(
    'npm start to run the seeds and serve',
    () => npmStart.output.includes('Serving until Ctrl-C') || npmStart.exitCode !== null,
    600_000,
    500,
  );
  assert.equal(npmStart.exitCode, null, `npm start exited early:\n${npmStart.output}`);
  devPid = Number(/Worker\s+task queue \S+ \(pid (\d+)\)/.exec(npmStart.output)?.[1]);
  assert.ok(devPid > 0, `npm start prints the worker's pid:\n${npmStart.output}`);
  // payloads are encrypted with the key npm start generated (.data/codec-keys.json), which this client reads too
  temporal = new Client({
    connection: await Connection.connect({ address: `127.0.0.1:${ports.temporal}` }),
    dataConverter: dataConverter(),
  });
});

after(async () => {
  await temporal?.connection.close();
  if (npmStart && npmStart.exitCode === null) await ctrlC(npmStart).catch(() => undefined);
});

// ---------- running a block ----------

interface Ran {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

function bash(script: string, env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code: code ?? 1, stdout, stderr })));
  });
}

/** Run a block's commands in order in one shell (variables carry over), each command's output apart. */
async function runBlock(block: Block, env: NodeJS.ProcessEnv = terminalEnv()): Promise<Ran[]> {
  const dir = mkdtempSync(join(dataDir, `${block.label}-`));
  const script = block.commands
    .map((c, i) => `{\n${withPorts(c)}\n} >${dir}/out.${i} 2>${dir}/err.${i}; echo $? >${dir}/rc.${i}`)
    .join('\n');
  const r = await bash(script, env);
  assert.equal(r.code, 0, `the block's shell failed: ${r.stderr}`);
  return block.commands.map((command, i) => ({
    command,
    code: Number(readFileSync(`${dir}/rc.${i}`, 'utf8')),
    stdout: readFileSync(`${dir}/out.${i}`, 'utf8'),
    stderr: readFileSync(`${dir}/err.${i}`, 'utf8'),
  }));
}

function ok(r: Ran): Ran {
  assert.equal(r.code, 0, `\`${r.command}\` exited ${r.code}:\n${r.stderr}`);
  return r;
}

const json = (r: Ran) => JSON.parse(ok(r).stdout) as Record<string, any>;
const block = (label: string) => {
  const b = blocks.find((x) => x.label === label);
  assert.ok(b, `README block ${label}`);
  return b;
};

async function simulatorGet(path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${ports.simulator}${path}`, {
    headers: { authorization: `Bearer ${TEST_KEY}`, 'x-api-key': TEST_KEY, 'anthropic-version': '2023-06-01' },
  });
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}

/** The run id a `run` command reported on stderr (`started <id>`). */
const startedId = (r: Ran) => /started (\S+)/.exec(r.stderr)?.[1] ?? assert.fail(`no "started <id>" in: ${r.stderr}`);

// ---------- one check per block ----------

const CHECKS: Record<string, () => Promise<void>> = {
  async 'two-commands'() {
    const cmds = block('two-commands').commands.map((c) => c.replace(/\s+#.*$/, ''));
    assert.deepEqual(cmds, ['npm install', 'npm start', 'npm test']);
    // CI runs npm ci (npm install's exact-lock form: same tree, and it fails where the lock disagrees) and npm test
    // on a fresh clone; npm start is this test's stack
    const ci = readFileSync(join(PROJECT_ROOT, '.ci', 'run'), 'utf8');
    assert.match(ci, /^npm ci\b/m);
    assert.match(ci, /^npm test\b/m);
    assert.match(npmStart.output, /6 of 6 seed runs completed/);
    // one table of every run's normalized status and counts (x-temporal-status)
    assert.match(npmStart.output, /^run\s+batchStatus\s+total\s+completed\s+failed$/m);
    assert.match(npmStart.output, /^openai-batch-job\s+completed\s+3\s+3\s+0$/m);
    assert.match(npmStart.output, /^anthropic-batch-create-poll-results\s+ended\s+2\s+2\s+0$/m);
    assert.match(npmStart.output, /^bifrost-batch \(openai style\)\s+completed\s+2\s+2\s+0$/m);
    assert.match(npmStart.output, /^bifrost-batch \(anthropic style\)\s+ended\s+2\s+2\s+0$/m);
    assert.match(npmStart.output, new RegExp(`Temporal Web UI\\s+http://127\\.0\\.0\\.1:${ports.ui}`));

    // next to each run: the status command that shows its batch progress, and its Web UI link; list finds it by document
    const printed = new RegExp(
      `^▶ openai-batch-job: npx arazzo-temporal status (\\S+) --address (127\\.0\\.0\\.1:${ports.temporal})\\n  (http://127\\.0\\.0\\.1:${ports.ui}/namespaces/default/workflows/\\S+)$`,
      'm',
    ).exec(npmStart.output);
    assert.ok(printed, `npm start prints a status command and a Web UI link per run:\n${npmStart.output}`);
    const [, id, address] = printed;
    const status = await cli('status', id, '--address', address);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^batch status +completed \(step getResult\)$/m);
    assert.match(status.stdout, /^requests +3 completed, 0 failed, of 3$/m);
    const listed = await cli('list', '--document', 'openai-batch-job.arazzo.yaml', '--json', '--address', address);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(
      (JSON.parse(listed.stdout) as { workflowId: string }[]).some((r) => r.workflowId === id),
      listed.stdout,
    );
  },

  async validate() {
    const [v, g] = await runBlock(block('validate'));
    assert.match(ok(v).stdout, /^arazzo\/openai-batch-job\.arazzo\.yaml: workflow batch-job is valid \(4 steps, \d+ warnings?\)$/m);
    assert.match(v.stderr, /^arazzo\/openai-batch-job\.arazzo\.yaml:\d+:\d+: warning \[[a-z-]+\] \(workflow batch-job, step \w+\)/m);
    assert.match(ok(g).stdout, /^flowchart TD/);
    for (const step of ['uploadInput', 'createBatch', 'pollBatch', 'getResult']) assert.match(g.stdout, new RegExp(step));
  },

  async run() {
    const [r] = await runBlock(block('run'));
    const outputs = json(r);
    assert.deepEqual(Object.keys(outputs).sort(), ['batchId', 'outputFileId']);
    assert.match(outputs.batchId, /^batch_/);
    assert.match(outputs.outputFileId, /^file-/);
    // it polled to completion: the provider says so, and the run polled more than once at demo timing
    assert.equal((await simulatorGet(`/v1/batches/${outputs.batchId}`)).status, 'completed');
    const result = await temporal.workflow.getHandle(startedId(r)).result();
    assert.ok(result.polls >= 1, `polls: ${result.polls}`);
  },

  async webhook() {
    const [r] = await runBlock(block('webhook'));
    const outputs = json(r);
    assert.match(outputs.batchId, /^batch_/);
    assert.match(outputs.outputFileId, /^file-/);
    // the simulator's signed webhook ended the wait: no poll of the batch
    const result = (await temporal.workflow.getHandle(startedId(r)).result()) as ArazzoRunResult;
    assert.deepEqual(
      result.trace.map((t) => t.stepId),
      ['uploadInput', 'createBatch', 'waitForBatch', 'getResult'],
    );
  },

  async 'any-client'() {
    // a client this project did not write: the Temporal CLI starts the batch seed by reference and prints its result
    const [start, result] = await runBlock(block('any-client'));
    ok(start);
    assert.match(ok(result).stdout, /COMPLETED/);
    const outputs = (await temporal.workflow.getHandle('batch-from-cli').result()).outputs;
    assert.match(outputs.outputFileId, /^file-/);
    assert.ok(result.stdout.includes(outputs.outputFileId), result.stdout);
    assert.equal((await simulatorGet(`/v1/batches/${outputs.batchId}`)).status, 'completed');
  },

  async 'start-result'() {
    const [s, r] = await runBlock(block('start-result'));
    assert.equal(ok(s).stdout.trim(), 'anthropic-demo');
    const outputs = json(r);
    assert.match(outputs.batchId, /^msgbatch_/);
    assert.equal(outputs.processingStatus, 'ended');
    const lines = String(outputs.results)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['greeting-de', 'greeting-fr']);
  },

  async cancel() {
    const before = new Set(((await simulatorGet('/v1/fine_tuning/jobs?limit=100')).data as { id: string }[]).map((j) => j.id));
    const [s, c, r] = await runBlock(block('cancel'));
    assert.equal(ok(s).stdout.trim(), 'fine-tune-demo');
    assert.match(ok(c).stdout, /cancellation requested for fine-tune-demo/);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cancel/i);
    assert.equal((await temporal.workflow.getHandle('fine-tune-demo').describe()).status.name, 'CANCELLED');
    // nothing the run created is left running at the provider
    const created = ((await simulatorGet('/v1/fine_tuning/jobs?limit=100')).data as { id: string; status: string }[]).filter(
      (j) => !before.has(j.id),
    );
    for (const job of created) assert.equal(job.status, 'cancelled', `job ${job.id}`);
  },

  async seeds() {
    const [batch, download, fineTune, anthropic, bifrostOpenAI, bifrostAnthropic] = await runBlock(block('seeds'));
    ok(batch);
    const contents = String(json(download).contents)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(contents.length, 3);
    assert.match(json(fineTune).fineTunedModel, /^ft:/);
    assert.equal(json(anthropic).processingStatus, 'ended');
    // the Bifrost seed through the simulator's gateway, in both styles
    assert.equal(json(bifrostOpenAI).status, 'completed');
    assert.equal(json(bifrostOpenAI).results.length, 2);
    assert.equal(json(bifrostAnthropic).status, 'ended');
    assert.deepEqual(json(bifrostAnthropic).requestCounts, { total: 2, completed: 2, failed: 0, succeeded: 2 });
    // one worker the whole time: the dev process that printed its pid is still the one serving, with no crash
    assert.ok(alive(devPid), `the worker process ${devPid} is alive`);
    assert.doesNotMatch(npmStart.output, /fatal|worker failed|worker stopped|IllegalStateError|Invalid millis/);
  },

  async 'schedule-policies'() {
    const [create, unpause, describe, trigger, backfill, update] = await runBlock(block('schedule-policies'));
    try {
      assert.match(ok(create).stdout, /schedule nightly-batch created/);
      ok(unpause);
      const described = ok(describe).stdout;
      assert.match(described, /overlap/i);
      assert.match(described, /next/i);
      ok(trigger);
      ok(backfill);
      ok(update);
      const view = await temporal.schedule.getHandle('nightly-batch').describe();
      assert.equal(view.state.paused, false, 'unpaused');
      assert.equal(view.policies.overlap, 'SKIP');
      // the trigger fired a run; the two backfilled firings came while it ran, under the skip policy
      assert.ok(view.info.numActionsTaken >= 1, `actions taken: ${view.info.numActionsTaken}`);
    } finally {
      const handle = temporal.schedule.getHandle('nightly-batch');
      const running = (await handle.describe().catch(() => undefined))?.info.runningActions ?? [];
      await handle.delete().catch(() => undefined);
      for (const a of running)
        await temporal.workflow
          .getHandle(a.workflow.workflowId)
          .terminate('README check done')
          .catch(() => undefined);
    }
  },
  async schedule() {
    const [c, l, d] = await runBlock(block('schedule'));
    assert.match(ok(c).stdout, /schedule nightly-batch created/);
    assert.match(ok(l).stdout, /^nightly-batch\t0 2 \* \* \*/m);
    assert.match(ok(d).stdout, /schedule nightly-batch deleted/);
    await assert.rejects(temporal.schedule.getHandle('nightly-batch').describe());
  },

  async 'worker-roles'() {
    const b = block('worker-roles');
    const env = terminalEnv();
    const workers: (ChildProcess & { output: string })[] = [];
    const foreground: Block = { ...b, commands: [] };
    for (const command of b.commands) {
      const exp = /^export (\w+)=(\S+)$/.exec(command);
      if (exp) env[exp[1]] = exp[2];
      else if (command.endsWith('&')) {
        const w = spawnLong(withPorts(command.slice(0, -1).trim()), env);
        workers.push(w);
        await waitFor(`worker: ${command}`, () => w.output.includes('worker running') || w.exitCode !== null, 120_000, 200);
        assert.equal(w.exitCode, null, w.output);
      } else foreground.commands.push(command);
    }
    try {
      assert.match(workers[0].output, /worker running \(workflows; task queue batch-flows/);
      assert.match(workers[1].output, /worker running \(activities; task queue batch-http/);
      const [r] = await runBlock(foreground, env);
      assert.match(json(r).outputFileId, /^file-/);
      // the run's workflow tasks went to batch-flows and its HTTP steps to batch-http, which only the activities worker polls
      const history = await temporal.workflow.getHandle(startedId(r)).fetchHistory();
      const started = history.events?.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes;
      assert.equal(started?.taskQueue?.name, 'batch-flows');
      const queues = new Set(
        history.events
          ?.filter((e) => e.activityTaskScheduledEventAttributes)
          .map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name),
      );
      assert.deepEqual([...queues], ['batch-http']);
    } finally {
      // stop every worker before asserting on any, so a failed assertion leaves no worker running
      const stopped = await Promise.all(workers.map((w) => ctrlC(w)));
      workers.forEach((w, i) => {
        assert.match(stopped[i], STOPPED_GRACEFULLY, `worker stops on Ctrl-C:\n${w.output}`);
        assert.match(w.output, /SIGINT: stopping…[\s\S]*state: 'STOPPED'/);
      });
    }
  },

  async 'codec-server'() {
    const sim = spawnLong(block('codec-server').commands.map(withPorts).join('\n'), terminalEnv());
    try {
      await waitFor('the codec server', () => sim.output.includes('codec server listening') || sim.exitCode !== null, 60_000, 100);
      const url = /codec server listening on (\S+)/.exec(sim.output)?.[1];
      assert.equal(url, `http://127.0.0.1:${ports.ownCodec}`, sim.output);
      // a payload as the worker wrote it, with the key npm start generated, decoded for the Cloud UI's origin
      const [enc] = await new AesGcmCodec(readKeyFile(join(PROJECT_ROOT, '.data', 'codec-keys.json'))).encode([
        { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hello"') },
      ]);
      const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
      const body = JSON.stringify({
        payloads: [{ metadata: Object.fromEntries(Object.entries(enc.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(enc.data) }],
      });
      const post = (namespace: string) =>
        fetch(`${url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-namespace': namespace, origin: 'https://cloud.temporal.io' },
          body,
        });
      const res = await post('my-namespace.a1b2c');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://cloud.temporal.io');
      const decoded = (await res.json()) as { payloads: { data: string }[] };
      assert.equal(Buffer.from(decoded.payloads[0].data, 'base64').toString(), '"hello"');
      assert.equal((await post('someone-else')).status, 403);
    } finally {
      assert.match(await ctrlC(sim), STOPPED_GRACEFULLY, sim.output);
    }
  },

  async simulator() {
    const [command] = block('simulator').commands;
    const sim = spawnLong(withPorts(command), terminalEnv());
    try {
      await waitFor('the simulator', () => sim.output.includes('simulator listening') || sim.exitCode !== null, 60_000, 100);
      const url = /simulator listening on (\S+)/.exec(sim.output)?.[1];
      assert.equal(url, `http://127.0.0.1:${ports.ownSimulator}`);
      const res = await fetch(`${url}/v1/batches`, { headers: { authorization: `Bearer ${TEST_KEY}` } });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).object, 'list');
    } finally {
      assert.match(await ctrlC(sim), STOPPED_GRACEFULLY, sim.output);
      assert.match(sim.output, /SIGINT: stopping…/);
    }
  },
};

test('every command block of the README has a check, and every check a block', () => {
  assert.deepEqual(blocks.map((b) => b.label).sort(), Object.keys(CHECKS).sort());
});

for (const label of Object.keys(CHECKS)) test(`README: ${label}`, () => CHECKS[label]());

test('README: Ctrl-C stops npm start with its Temporal server; no process is left behind', async () => {
  const below = descendants(npmStart.pid!);
  assert.ok(below.length >= 2, `npm start runs the dev process and the Temporal server: ${below}`);
  const how = await ctrlC(npmStart, 60_000);
  assert.match(how, STOPPED_GRACEFULLY, npmStart.output.slice(-2000));
  assert.ok(
    below.every((pid) => !alive(pid)),
    'the Temporal server and every other child stopped',
  );
  assert.match(npmStart.output, /SIGINT: stopping/);
});
