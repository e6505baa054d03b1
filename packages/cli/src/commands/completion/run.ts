/**
 * `dev-infra completion bash|zsh|fish`: completion scripts generated from the command tree,
 * so a new command, subcommand or flag is completed without touching this file. Project names
 * come from `dev-infra list` (tab-separated when piped: the first column is the name); the
 * names `clone` takes from `list --remote-only`, which reads the last pull and never the network.
 */
import { PROJECT_STATUSES, PROJECT_TYPES } from '@dev-infra/core';
import type { Command } from 'commander';
import { CONFIG_KEYS } from '../../config/keys.js';
import type { Context } from '../../context.js';

interface Spec {
  names: string[];
  description: string;
  flags: { flag: string; description: string; takesValue: boolean }[];
  subcommands: string[];
  /** What a positional argument completes to. */
  argument: 'project' | 'remote-project' | 'folder' | 'none';
}

const PROJECT_ARG = new Set(['show', 'path', 'update', 'remove', 'restore', 'move']);
const FOLDER_ARG = new Set(['add', 'init', 'scan']);
const NAMES = 'dev-infra list 2>/dev/null | cut -f1';
const REMOTE_NAMES = 'dev-infra list --remote-only 2>/dev/null | cut -f1';
/** The values of the flags that take one of a few. */
const FLAG_VALUES: Record<string, readonly string[]> = {
  '--prefer': ['local', 'remote'],
  '--type': PROJECT_TYPES,
  '--status': PROJECT_STATUSES,
};
const KEY_SUBCOMMANDS = ['get', 'set', 'unset'];

function argumentOf(name: string): Spec['argument'] {
  if (name === 'clone') return 'remote-project';
  if (PROJECT_ARG.has(name)) return 'project';
  return FOLDER_ARG.has(name) ? 'folder' : 'none';
}

function specs(program: Command): Spec[] {
  return program.commands.map((cmd) => ({
    names: [cmd.name(), ...cmd.aliases()],
    description: cmd.description(),
    flags: [...cmd.options, ...program.options]
      .filter((o) => o.long !== undefined && o.long !== '--version')
      .map((o) => ({
        flag: o.long!,
        description: o.description,
        takesValue: o.required || o.optional,
      }))
      .concat({ flag: '--help', description: 'show help', takesValue: false }),
    subcommands: cmd.commands.map((c) => c.name()),
    argument: argumentOf(cmd.name()),
  }));
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const words = (all: readonly Spec[], kind: Spec['argument']) =>
  all.filter((s) => s.argument === kind).flatMap((s) => s.names);
const keys = CONFIG_KEYS.map((k) => k.key).join(' ');
const valueCases = (indent: string, body: (values: string) => string) =>
  Object.entries(FLAG_VALUES)
    .map(([flag, values]) => `${indent}${flag}) ${body(values.join(' '))} ;;`)
    .join('\n');

function bash(all: Spec[]): string {
  const cases = all
    .map(
      (s) =>
        `    ${s.names.join('|')}) opts=${quote(s.flags.map((f) => f.flag).join(' '))}; subs=${quote(s.subcommands.join(' '))} ;;`,
    )
    .join('\n');
  return `# bash completion for dev-infra (dev-infra completion bash)
_dev_infra() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" opts="" subs=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W ${quote(all.flatMap((s) => s.names).join(' '))} -- "$cur") )
    return
  fi
  case "$prev" in
${valueCases('    ', (v) => `COMPREPLY=( $(compgen -W ${quote(v)} -- "$cur") ); return`)}
  esac
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return
  fi
  if [[ -n "$subs" && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
    return
  fi
  local IFS=$'\\n'
  case "$cmd" in
    ${words(all, 'project').join('|')}) COMPREPLY=( $(compgen -W "$(${NAMES})" -- "$cur") ) ;;
    clone) [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=( $(compgen -W "$(${REMOTE_NAMES})" -- "$cur") ) ;;
    ${words(all, 'folder').join('|')}) COMPREPLY=( $(compgen -d -- "$cur") ) ;;
    config)
      if [[ $COMP_CWORD -eq 3 && " ${KEY_SUBCOMMANDS.join(' ')} " == *" \${COMP_WORDS[2]} "* ]]; then
        IFS=$' \\t\\n'
        COMPREPLY=( $(compgen -W ${quote(keys)} -- "$cur") )
      fi ;;
    completion|hook) IFS=$' \\t\\n'; COMPREPLY=( $(compgen -W 'bash zsh fish' -- "$cur") ) ;;
  esac
}
complete -F _dev_infra dev-infra
`;
}

function zsh(all: Spec[]): string {
  const described = all
    .flatMap((s) => s.names.map((n) => quote(`${n}:${s.description.replace(/:/g, '\\:')}`)))
    .join(' ');
  const cases = all
    .map(
      (s) =>
        `    ${s.names.join('|')}) opts=(${s.flags.map((f) => f.flag).join(' ')}); subs=(${s.subcommands.join(' ')}) ;;`,
    )
    .join('\n');
  return `#compdef dev-infra
# zsh completion for dev-infra (dev-infra completion zsh)
_dev_infra() {
  local -a commands opts subs
  commands=(${described})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[CURRENT-1] in
${valueCases('    ', (v) => `compadd -- ${v}; return`)}
  esac
  case $words[2] in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -a opts
    return
  fi
  if (( CURRENT == 3 && \${#subs} > 0 )); then
    compadd -a subs
    return
  fi
  case $words[2] in
    ${words(all, 'project').join('|')}) compadd -- \${(f)"$(${NAMES})"} ;;
    clone) (( CURRENT == 3 )) && compadd -- \${(f)"$(${REMOTE_NAMES})"} ;;
    ${words(all, 'folder').join('|')}) _files -/ ;;
    config)
      if (( CURRENT == 4 )) && [[ $words[3] == (${KEY_SUBCOMMANDS.join('|')}) ]]; then compadd ${keys}; fi ;;
    completion|hook) compadd bash zsh fish ;;
  esac
}
compdef _dev_infra dev-infra
`;
}

function fish(all: Spec[]): string {
  const lines = [
    '# fish completion for dev-infra (dev-infra completion fish)',
    'complete -c dev-infra -f',
  ];
  for (const s of all) {
    for (const n of s.names)
      lines.push(
        `complete -c dev-infra -n __fish_use_subcommand -a ${n} -d ${quote(s.description)}`,
      );
    const seen = `'__fish_seen_subcommand_from ${s.names.join(' ')}'`;
    for (const f of s.flags) {
      const values = FLAG_VALUES[f.flag];
      const arg = values ? ` -x -a ${quote(values.join(' '))}` : f.takesValue ? ' -r' : '';
      lines.push(
        `complete -c dev-infra -n ${seen} -l ${f.flag.slice(2)}${arg} -d ${quote(f.description)}`,
      );
    }
    if (s.subcommands.length > 0) {
      // Only as the word after the command: `remote set <TAB>` offers no more subcommands.
      const fresh = `'__fish_seen_subcommand_from ${s.names.join(' ')}; and not __fish_seen_subcommand_from ${s.subcommands.join(' ')}'`;
      lines.push(`complete -c dev-infra -n ${fresh} -a ${quote(s.subcommands.join(' '))}`);
    }
  }
  const clone = `'__fish_seen_subcommand_from clone; and test (count (commandline -opc)) -eq 2'`;
  const configKey = `'__fish_seen_subcommand_from config; and __fish_seen_subcommand_from ${KEY_SUBCOMMANDS.join(' ')}'`;
  lines.push(
    `complete -c dev-infra -n '__fish_seen_subcommand_from ${words(all, 'project').join(' ')}' -a '(${NAMES})'`,
    `complete -c dev-infra -n ${clone} -a '(${REMOTE_NAMES})'`,
    `complete -c dev-infra -n '__fish_seen_subcommand_from ${words(all, 'folder').join(' ')}' -a '(__fish_complete_directories)'`,
    `complete -c dev-infra -n ${configKey} -a ${quote(keys)}`,
    `complete -c dev-infra -n '__fish_seen_subcommand_from completion hook' -a 'bash zsh fish'`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `completion SHELL` (commander has already checked SHELL is one of the three). */
export function runCompletion(ctx: Context, shell: string, program: Command): void {
  const all = specs(program);
  const script = shell === 'zsh' ? zsh(all) : shell === 'fish' ? fish(all) : bash(all);
  ctx.io.out(script);
}
