/**
 * `dev-infra hook bash|zsh|fish`: the prompt hook. At each prompt it reads the next-due stamp
 * that every sync writes (`sync-due` beside the registry: an epoch second, or `off`) and
 * compares it with the clock using shell builtins only, so a prompt with nothing due starts no
 * process. When a sync is due (or no stamp exists yet) it writes a provisional stamp a minute
 * on, so the prompts that follow start nothing, and runs `dev-infra sync --background`, which
 * detaches the real sync and writes the real stamp when done.
 *
 * The clock: bash's `printf '%(%s)T'` (bash 4.2+; an older bash runs `date`), zsh's `$EPOCHSECONDS` (zsh/datetime);
 * fish has no clock builtin, so it reads the stamp's mtime plus its age (`path mtime`, fish
 * 3.5+), both builtins; only the first prompt without a stamp runs `date`.
 */
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';

/** A minute: long enough for the background sync to write the real stamp. */
const PROVISIONAL_SECONDS = 60;

/** The data folder, as `registry/paths.ts` resolves it, in POSIX shell syntax (bash, zsh). */
const POSIX_DIR = `if [[ -n \${DEV_INFRA_HOME-} ]]; then dir=$DEV_INFRA_HOME
  elif [[ \${XDG_DATA_HOME-} == /* ]]; then dir=$XDG_DATA_HOME/dev-infra
  else dir=$HOME/.local/share/dev-infra; fi`;

const START = 'dev-infra sync --background </dev/null >/dev/null 2>&1 &';

function bash(cd: string | false): string {
  return `# dev-infra prompt hook for bash (dev-infra hook bash). In ~/.bashrc:
#   eval "$(dev-infra hook bash)"
# Starts \`dev-infra sync --background\` at most every sync.frequency${cd ? `; defines ${cd} NAME` : ''}.
if (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2) )); then
  __dev_infra_now() { printf -v now '%(%s)T' -1; }
else
  # bash before 4.2 (macOS's 3.2) has no clock builtin: one \`date\` per prompt.
  __dev_infra_now() { now=$(date +%s); }
fi
__dev_infra_prompt() {
  local s=$? dir due= now
  ${POSIX_DIR}
  { read -r due < "$dir/sync-due"; } 2>/dev/null
  if [[ $due != off ]]; then
    __dev_infra_now
    if [[ ! $due =~ ^[0-9]+$ ]] || (( now >= 10#$due )); then
      ( umask 077; mkdir -p -- "$dir" && printf '%s\\n' "$((now + ${PROVISIONAL_SECONDS}))" >| "$dir/sync-due"; command ${START} )
    fi
  fi
  return $s
}
if [[ ";\${PROMPT_COMMAND[*]-};" != *";__dev_infra_prompt;"* ]]; then
  PROMPT_COMMAND="__dev_infra_prompt\${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
`;
}

function bashCd(cd: string): string {
  return `${cd}() { local p; p=$(command dev-infra path "$@") && cd -- "$p"; }
__dev_infra_cd_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(command dev-infra list 2>/dev/null | cut -f1)" -- "\${COMP_WORDS[COMP_CWORD]}") )
}
complete -F __dev_infra_cd_complete ${cd}
`;
}

function zsh(cd: string | false): string {
  return `# dev-infra prompt hook for zsh (dev-infra hook zsh). In ~/.zshrc:
#   eval "$(dev-infra hook zsh)"
# Starts \`dev-infra sync --background\` at most every sync.frequency${cd ? `; defines ${cd} NAME` : ''}.
zmodload zsh/datetime
__dev_infra_prompt() {
  emulate -L zsh
  local dir due=
  ${POSIX_DIR}
  [[ -r $dir/sync-due ]] && read -r due < $dir/sync-due
  [[ $due == off ]] && return 0
  [[ $due == <-> ]] && (( EPOCHSECONDS < due )) && return 0
  ( umask 077; mkdir -p -- $dir && print -r -- $(( EPOCHSECONDS + ${PROVISIONAL_SECONDS} )) >| $dir/sync-due; command ${START} )
  return 0
}
autoload -Uz add-zsh-hook
add-zsh-hook precmd __dev_infra_prompt
`;
}

function zshCd(cd: string): string {
  return `${cd}() { local p; p=$(command dev-infra path "$@") && cd -- "$p"; }
__dev_infra_cd_complete() { compadd -- \${(f)"$(command dev-infra list 2>/dev/null | cut -f1)"}; }
(( $+functions[compdef] )) && compdef __dev_infra_cd_complete ${cd}
`;
}

function fish(cd: string | false): string {
  return `# dev-infra prompt hook for fish (dev-infra hook fish). In ~/.config/fish/config.fish:
#   dev-infra hook fish | source
# Starts \`dev-infra sync --background\` at most every sync.frequency${cd ? `; defines ${cd} NAME` : ''}.
function __dev_infra_prompt --on-event fish_prompt
    set -l dir $HOME/.local/share/dev-infra
    if test -n "$DEV_INFRA_HOME"
        set dir $DEV_INFRA_HOME
    else if string match -q '/*' -- "$XDG_DATA_HOME"
        set dir $XDG_DATA_HOME/dev-infra
    end
    set -l stamp $dir/sync-due
    set -l due
    set -l now
    if test -f $stamp
        read due <$stamp
        test "$due" = off; and return 0
        # No clock builtin in fish: the stamp's mtime plus its age is now.
        set now (math (path mtime $stamp) + (path mtime --relative $stamp))
        string match -qr '^[0-9]+$' -- "$due"; and test $now -lt $due; and return 0
    else
        set now (date +%s)
    end
    set -l mask (umask)
    umask 077
    mkdir -p -- $dir; and echo (math $now + ${PROVISIONAL_SECONDS}) >$stamp
    umask $mask
    command ${START}
    disown $last_pid 2>/dev/null
    return 0
end
`;
}

function fishCd(cd: string): string {
  return `function ${cd} --description 'cd to a dev-infra project: ${cd} NAME'
    set -l p (command dev-infra path $argv); or return
    cd $p
end
complete -c ${cd} -f -a '(command dev-infra list 2>/dev/null | cut -f1)'
`;
}

/** Runs `hook SHELL` (commander has already checked SHELL is one of the three). */
export function runHook(ctx: Context, shell: string, options: { cd: string | false }): void {
  const { cd } = options;
  if (cd !== false && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cd))
    throw new UsageError(
      `--cd must be a function name (letters, digits and _, not starting with a digit); got "${cd}"`,
    );
  const [prompt, cdFunction] =
    shell === 'zsh' ? [zsh, zshCd] : shell === 'fish' ? [fish, fishCd] : [bash, bashCd];
  ctx.io.out(prompt(cd) + (cd === false ? '' : cdFunction(cd)));
}
