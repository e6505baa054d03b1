/**
 * `dev-infra completion bash|zsh|fish`: completion scripts generated from the command tree,
 * so a new command or flag is completed without touching this file. Project names come
 * from `dev-infra list` (tab-separated when piped: the first column is the name).
 */
import type { Command } from 'commander';
import { CONFIG_KEYS } from '../../config/keys.js';
import type { Context } from '../../context.js';

interface Spec {
  names: string[];
  description: string;
  flags: { flag: string; description: string }[];
  subcommands: string[];
  /** What a positional argument completes to. */
  argument: 'project' | 'folder' | 'none';
}

const PROJECT_ARG = new Set(['show', 'update', 'remove']);
const FOLDER_ARG = new Set(['add', 'init', 'scan']);
const NAMES = 'dev-infra list 2>/dev/null | cut -f1';

function specs(program: Command): Spec[] {
  return program.commands.map((cmd) => ({
    names: [cmd.name(), ...cmd.aliases()],
    description: cmd.description(),
    flags: [...cmd.options, ...program.options]
      .filter((o) => o.long !== undefined && o.long !== '--version')
      .map((o) => ({ flag: o.long!, description: o.description }))
      .concat({ flag: '--help', description: 'show help' }),
    subcommands: cmd.commands.map((c) => c.name()),
    argument: PROJECT_ARG.has(cmd.name())
      ? 'project'
      : FOLDER_ARG.has(cmd.name())
        ? 'folder'
        : 'none',
  }));
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const words = (all: readonly Spec[], kind: Spec['argument']) =>
  all.filter((s) => s.argument === kind).flatMap((s) => s.names);
const keys = CONFIG_KEYS.map((k) => k.key).join(' ');

function bash(all: Spec[]): string {
  const cases = all
    .map((s) => `    ${s.names.join('|')}) opts=${quote(s.flags.map((f) => f.flag).join(' '))} ;;`)
    .join('\n');
  return `# bash completion for dev-infra (dev-infra completion bash)
_dev_infra() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" opts=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W ${quote(all.flatMap((s) => s.names).join(' '))} -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return
  fi
  case "$cmd" in
    ${words(all, 'project').join('|')})
      local IFS=$'\\n'
      COMPREPLY=( $(compgen -W "$(${NAMES})" -- "$cur") ) ;;
    ${words(all, 'folder').join('|')}) COMPREPLY=( $(compgen -d -- "$cur") ) ;;
    config)
      if [[ $COMP_CWORD -eq 2 ]]; then
        COMPREPLY=( $(compgen -W ${quote(all.find((s) => s.names[0] === 'config')?.subcommands.join(' ') ?? '')} -- "$cur") )
      elif [[ $COMP_CWORD -eq 3 ]]; then
        COMPREPLY=( $(compgen -W ${quote(keys)} -- "$cur") )
      fi ;;
    completion) COMPREPLY=( $(compgen -W 'bash zsh fish' -- "$cur") ) ;;
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
    .map((s) => `    ${s.names.join('|')}) opts=(${s.flags.map((f) => f.flag).join(' ')}) ;;`)
    .join('\n');
  return `#compdef dev-infra
# zsh completion for dev-infra (dev-infra completion zsh)
_dev_infra() {
  local -a commands opts
  commands=(${described})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -a opts
    return
  fi
  case $words[2] in
    ${words(all, 'project').join('|')}) compadd -- \${(f)"$(${NAMES})"} ;;
    ${words(all, 'folder').join('|')}) _files -/ ;;
    config)
      if (( CURRENT == 3 )); then compadd list get set unset
      elif (( CURRENT == 4 )); then compadd ${keys}
      fi ;;
    completion) compadd bash zsh fish ;;
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
    for (const f of s.flags)
      lines.push(
        `complete -c dev-infra -n ${seen} -l ${f.flag.slice(2)} -d ${quote(f.description)}`,
      );
    for (const sub of s.subcommands) lines.push(`complete -c dev-infra -n ${seen} -a ${sub}`);
  }
  lines.push(
    `complete -c dev-infra -n '__fish_seen_subcommand_from ${words(all, 'project').join(' ')}' -a '(${NAMES})'`,
    `complete -c dev-infra -n '__fish_seen_subcommand_from ${words(all, 'folder').join(' ')}' -a '(__fish_complete_directories)'`,
    `complete -c dev-infra -n '__fish_seen_subcommand_from get set unset' -a ${quote(keys)}`,
    `complete -c dev-infra -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `completion SHELL` (commander has already checked SHELL is one of the three). */
export function runCompletion(ctx: Context, shell: string, program: Command): void {
  const all = specs(program);
  const script = shell === 'zsh' ? zsh(all) : shell === 'fish' ? fish(all) : bash(all);
  ctx.io.out(script);
}
