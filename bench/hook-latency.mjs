// The prompt hook's added latency when no sync is due: in each shell (bash, zsh, fish), one
// shell process times N calls of the hook's prompt function and N calls of an empty function,
// alternating in rounds, with the shell's own clock (bash and zsh: $EPOCHREALTIME; fish has no
// clock builtin, so `date +%s%N` once before and once after each batch, two forks per N calls).
// Usage: npm run build && npm run bench:hook   (BENCH_HOOK_CALLS, default 2000; BENCH_HOOK_ROUNDS, 5)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  cliBin,
  envInt,
  fmt,
  machineLine,
  median,
  requireBuild,
  root,
  table,
  tempDir,
  verdict,
  writeSection,
} from './lib.mjs';

requireBuild();
const loadAtStart = loadavg()[0];
const CALLS = envInt('BENCH_HOOK_CALLS', 2000);
const ROUNDS = envInt('BENCH_HOOK_ROUNDS', 5);
/** The bound: "a few milliseconds at most". */
const TARGET_MS = 3;

const dir = tempDir('hook');
const home = join(dir, 'home');
mkdirSync(home, { recursive: true });
// Nothing due for a day: the hook only reads the stamp and compares it with the clock.
writeFileSync(join(home, 'sync-due'), `${Math.floor(Date.now() / 1000) + 86_400}\n`, {
  mode: 0o600,
});
const env = { ...process.env, DEV_INFRA_HOME: home, HOME: dir, PATH: process.env.PATH };

/** Each shell: the loop that prints two lines per round, "empty NS" and "hook NS" per batch. */
const SHELLS = {
  bash: (hook) => `${hook}
__bench_empty() { :; }
__bench_now() { local t=$EPOCHREALTIME; now=\${t//[.,]/}; }
for ((r = 0; r < ${ROUNDS}; r++)); do
  for f in __bench_empty __dev_infra_prompt; do
    __bench_now; a=$now
    for ((i = 0; i < ${CALLS}; i++)); do $f; done
    __bench_now; echo "$f $(( (now - a) * 1000 ))"
  done
done`,
  zsh: (hook) => `${hook}
zmodload zsh/datetime
__bench_empty() { :; }
for r in {1..${ROUNDS}}; do
  for f in __bench_empty __dev_infra_prompt; do
    a=$EPOCHREALTIME
    repeat ${CALLS} { $f }
    b=$EPOCHREALTIME
    printf '%s %d\\n' $f $(( (b - a) * 1e9 ))
  done
done`,
  fish: (hook) => `${hook}
functions -e __fish_on_interactive
function __bench_empty; end
for r in (seq ${ROUNDS})
  for f in __bench_empty __dev_infra_prompt
    set -l a (date +%s%N)
    for i in (seq ${CALLS}); $f; end
    set -l b (date +%s%N)
    echo $f (math "$b - $a")
  end
end`,
};

const rows = [];
const raw = {};
try {
  for (const [shell, script] of Object.entries(SHELLS)) {
    const hook = spawnSync(process.execPath, [cliBin, 'hook', shell], { env, encoding: 'utf8' });
    if (hook.status !== 0) throw new Error(`dev-infra hook ${shell} failed: ${hook.stderr}`);
    const r = spawnSync(shell, ['-c', script(hook.stdout)], { env, encoding: 'utf8' });
    if (r.status !== 0 || r.stderr !== '')
      throw new Error(`${shell} failed (${r.status}): ${r.stderr}`);
    const per = { __bench_empty: [], __dev_infra_prompt: [] };
    for (const line of r.stdout.trim().split('\n')) {
      const [name, ns] = line.trim().split(' ');
      per[name].push(Number(ns) / CALLS / 1000);
    }
    const emptyUs = median(per.__bench_empty);
    const hookUs = median(per.__dev_infra_prompt);
    raw[shell] = {
      calls: CALLS,
      rounds: ROUNDS,
      empty_us: per.__bench_empty,
      hook_us: per.__dev_infra_prompt,
    };
    rows.push([shell, fmt(emptyUs, 2), fmt(hookUs, 2), fmt(hookUs - emptyUs, 2)]);
    console.log(`${shell}: hook ${fmt(hookUs, 2)} µs/call, empty ${fmt(emptyUs, 2)} µs/call`);
  }
  const worstMs = Math.max(...rows.map((row) => Number(row[3]))) / 1000;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', 'hook-latency.json'),
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, shells: raw }, null, 2)}\n`,
  );
  const body = `## Prompt hook: added latency when no sync is due

Target (issue 15): a few milliseconds at most, no Node start-up in the prompt's path when nothing
is due. Result: at most **${fmt(worstMs * 1000, 1)} µs** added per prompt (${verdict(worstMs <= TARGET_MS)}, ${TARGET_MS} ms).

${table(['shell', 'empty function µs/call', 'hook µs/call', 'added µs/call'], rows)}

In one process per shell, ${ROUNDS} rounds of ${CALLS.toLocaleString('en')} calls of an empty function
and ${CALLS.toLocaleString('en')} calls of the hook's prompt function (\`dev-infra hook SHELL\`),
alternating; medians of the per-call means. The stamp says the next sync is due tomorrow, so
the hook reads one small file and compares it with the clock, builtins only: bash \`read\` and
\`printf '%(%s)T'\`, zsh \`read\` and \`$EPOCHSECONDS\`, fish \`read\`, \`path mtime\` and \`math\`.
Timed with the shell's own clock (bash, zsh: \`$EPOCHREALTIME\`; fish: \`date +%s%N\` around each
batch). Raw figures: \`bench/results/hook-latency.json\`.

${machineLine(loadAtStart)}

Reproduce: \`npm run build && npm run bench:hook\` (\`BENCH_HOOK_CALLS\`, \`BENCH_HOOK_ROUNDS\`).

**What limits it.** Opening and reading the stamp file (one \`open\`/\`read\`/\`close\`) and, in
fish, two \`stat\`s for the clock; when a sync is due the hook forks once (a subshell that writes
the provisional stamp and starts \`dev-infra sync --background\`), a cost paid once per period.`;
  writeSection('hook-latency', body);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
