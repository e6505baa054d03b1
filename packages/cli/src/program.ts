/**
 * The command tree: names, arguments, flags and help. Each command's code is imported only
 * when that command runs, so start-up loads just this file and commander. To add a command,
 * add one `program.command(...)` block here and one file under commands/.
 */
import { Argument, Command, InvalidArgumentError } from 'commander';
import { depthFlag, nameFlag, repeatable, statusFlag, typeFlag } from './flags.js';

declare const __VERSION__: string;

const examples = (...lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ dev-infra ${l}`).join('\n')}\n`;

/** Adds the flags `add` and `init` share (a new project's fields). */
function newProjectFlags(command: Command): Command {
  return command
    .option('--name <name>', 'project name (default: the folder name)', nameFlag)
    .option('--description <text>', 'one-line description')
    .option('--tag <tag>', 'tag (repeatable, or comma-separated)', repeatable)
    .option('--type <type>', 'Work, Personal, Learning or Inactive', typeFlag)
    .option('--status <status>', 'active (default), paused, completed or cancelled', statusFlag);
}

const preferFlag = (value: string): 'local' | 'remote' => {
  if (value !== 'local' && value !== 'remote')
    throw new InvalidArgumentError('Use local or remote.');
  return value;
};

/** Adds the commands that talk to work-prod: remote, sync, status, clone, machines. */
function addSyncCommands(program: Command): void {
  const remote = program
    .command('remote')
    .description('set, show or remove the work-prod server this machine syncs with')
    .addHelpText(
      'after',
      examples('remote set http://127.0.0.1:8080 --key wp_...', 'remote show', 'remote remove'),
    );
  remote
    .command('set')
    .description('use this work-prod (the key is stored in config.yml, mode 0600)')
    .argument('<url>', 'work-prod base URL')
    .option('--key <key>', 'API key (shown only as a prefix from now on)')
    .action(async (url: string, options) =>
      (await import('./commands/remote.js')).runRemoteSet(url, options),
    );
  remote
    .command('show')
    .description('show the URL, the key prefix and the protocol the server speaks')
    .option('--json', 'print it as JSON')
    .action(async (options) => (await import('./commands/remote.js')).runRemoteShow(options));
  remote
    .command('remove')
    .description('stop syncing (forget the URL and key)')
    .action(async () => (await import('./commands/remote.js')).runRemoteRemove());

  const syncFlags = (command: Command) =>
    command
      .option('--dry-run', 'say what would change, change nothing')
      .option(
        '--prefer <side>',
        'who wins a same-field conflict: local (default) or remote',
        preferFlag,
      )
      .option('--json', 'print the report as JSON');
  const sync = syncFlags(
    program
      .command('sync')
      .description("pull changes from work-prod, merge, and push this machine's changes"),
  )
    .addHelpText('after', examples('sync', 'sync --dry-run', 'sync --prefer remote', 'sync pull'))
    .action(async (options) => (await import('./commands/sync.js')).runSync('both', options));
  syncFlags(sync.command('pull').description('only fetch and merge changes from work-prod')).action(
    async (_options, cmd: Command) =>
      (await import('./commands/sync.js')).runSync('pull', cmd.optsWithGlobals()),
  );
  syncFlags(sync.command('push').description("only send this machine's changes")).action(
    async (_options, cmd: Command) =>
      (await import('./commands/sync.js')).runSync('push', cmd.optsWithGlobals()),
  );

  program
    .command('status')
    .description("each project's sync state (asks the server what changed; read-only)")
    .option('--offline', 'use the last sync only (no network)')
    .option('--json', 'print everything as JSON')
    .option('--exit-code', 'exit 1 when anything is out of sync')
    .addHelpText('after', examples('status', 'status --offline', 'status --exit-code'))
    .action(async (options) => (await import('./commands/status.js')).runStatus(options));

  program
    .command('clone')
    .description('git clone a project another machine holds, and register it here')
    .argument('<name>', 'project name (see list --remote-only)')
    .argument('[dir]', 'where to clone it (default: <clone_root>/<name>)')
    .addHelpText('after', examples('clone api-server', 'clone api-server ~/work/api'))
    .action(async (name: string, dir: string | undefined) =>
      (await import('./commands/clone.js')).runClone(name, dir),
    );

  program
    .command('machines')
    .description("the account's machines, with their last sync")
    .option('--json', 'print them as JSON')
    .action(async (options) => (await import('./commands/machines.js')).runMachines(options));
}

/** Builds the whole command tree. */
export function buildProgram(): Command {
  const program = new Command('dev-infra')
    .description(
      "Keep a registry of this machine's projects, and sync it across machines via work-prod.",
    )
    .version(typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev', '-V, --version')
    .option('--debug', 'show the stack trace when something fails')
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    .showSuggestionAfterError()
    // Keep every error on one line: commander puts its "(Did you mean …?)" on a second, and
    // echoes a bad value's own line breaks.
    .configureOutput({
      outputError: (text, write) => write(`${text.trimEnd().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .addHelpText(
      'after',
      `${examples('add ~/code/api --tag go --type work', 'list', 'show api --json')}
Files: config.yml and registry.json in $DEV_INFRA_HOME, or in $XDG_CONFIG_HOME/dev-infra and
$XDG_DATA_HOME/dev-infra. Exit codes: 0 ok, 1 failure, 2 usage error.
`,
    );

  newProjectFlags(
    program
      .command('add')
      .alias('register')
      .description('register a project folder (default: the current folder)')
      .argument('[path]', 'the project folder', '.'),
  )
    .addHelpText(
      'after',
      examples('add', 'add ~/code/api --name api --tag go --tag svc --type work --status active'),
    )
    .action(async (path: string, options) =>
      (await import('./commands/add.js')).runAdd(path, options),
    );

  newProjectFlags(
    program
      .command('init')
      .description(
        'write a .dev-infra.yml (id, template, version, created) if missing, then register',
      )
      .argument('[path]', 'the project folder', '.'),
  )
    .option('--template <name>', 'template the project was made from (kept in .dev-infra.yml)')
    .option('--template-version <version>', 'version of that template')
    .addHelpText(
      'after',
      examples('init', 'init ~/code/site --template static-site --template-version 2'),
    )
    .action(async (path: string, options) =>
      (await import('./commands/init.js')).runInit(path, options),
    );

  program
    .command('remove')
    .alias('unregister')
    .description('drop a project from the registry (its files are never touched)')
    .argument('<name|path>', 'project name, or its folder')
    .option('--everywhere', 'also delete it from work-prod (other machines see "deleted remotely")')
    .addHelpText(
      'after',
      examples('remove old-site', 'unregister ~/code/old-site', 'remove old-site --everywhere'),
    )
    .action(async (target: string, options) =>
      (await import('./commands/remove.js')).runRemove(target, options),
    );

  program
    .command('update')
    .description("change a project's fields")
    .argument('<name>', 'project name')
    .option('--name <name>', 'rename the project', nameFlag)
    .option('--description <text>', 'set the description ("" clears it)')
    .option('--tag <tag>', 'add a tag (repeatable)', repeatable)
    .option('--untag <tag>', 'remove a tag (repeatable)', repeatable)
    .option('--type <type>', 'Work, Personal, Learning or Inactive', typeFlag)
    .option('--status <status>', 'active, paused, completed or cancelled', statusFlag)
    .addHelpText(
      'after',
      examples(
        'update api --status paused --tag legacy',
        'update api --name api-server --untag go',
      ),
    )
    .action(async (name: string, options) =>
      (await import('./commands/update.js')).runUpdate(name, options),
    );

  program
    .command('show')
    .description("show one project's fields")
    .argument('<name>', 'project name')
    .option('--json', 'print the project as JSON')
    .addHelpText('after', examples('show api', 'show api --json | jq .remote_url'))
    .action(async (name: string, options) =>
      (await import('./commands/show.js')).runShow(name, options),
    );

  program
    .command('list')
    .alias('ls')
    .description("list this machine's projects")
    .option('--tag <tag>', 'only projects with this tag (repeatable: all must match)', repeatable)
    .option('--status <status>', 'only projects with this status', statusFlag)
    .option('--json', 'print an array of project objects')
    .option('--all', 'also projects only other machines hold (from the last sync; no network)')
    .option('--remote-only', 'only projects with no checkout on this machine')
    .option('--long', 'with --all: show where other machines keep them')
    .addHelpText(
      'after',
      examples(
        'list',
        'list --tag go --status active',
        "list --json | jq -r '.[].path'",
        'list --all --long',
      ),
    )
    .action(async (options) =>
      options.all || options.remoteOnly
        ? (await import('./commands/list-all.js')).runListAll(options)
        : (await import('./commands/list.js')).runList(options),
    );

  program
    .command('scan')
    .description('find git repositories and .dev-infra.yml folders under DIR and register new ones')
    .argument('<dir>', 'folder to search')
    .option('--depth <n>', 'how many folder levels below DIR to search', depthFlag, 3)
    .option('--dry-run', 'report what would be added, change nothing')
    .addHelpText('after', examples('scan ~/code', 'scan ~ --depth 2 --dry-run'))
    .action(async (dir: string, options) =>
      (await import('./commands/scan.js')).runScan(dir, options),
    );

  const config = program
    .command('config')
    .description("read and change this machine's settings")
    .addHelpText(
      'after',
      examples('config list', 'config get machine.name', 'config set clone_root ~/code'),
    );
  config
    .command('list')
    .description('show every setting')
    .option('--json', 'print the settings as JSON')
    .action(async (options) => (await import('./commands/config.js')).runConfigList(options));
  config
    .command('get')
    .description('print one setting')
    .argument('<key>', 'setting name (see config list)')
    .addHelpText('after', examples('config get machine.name'))
    .action(async (key: string) => (await import('./commands/config.js')).runConfigGet(key));
  config
    .command('set')
    .description('change one setting')
    .argument('<key>', 'setting name (see config list)')
    .argument('<value>', 'new value')
    .addHelpText('after', examples('config set machine.name work-laptop'))
    .action(async (key: string, value: string) =>
      (await import('./commands/config.js')).runConfigSet(key, value),
    );
  config
    .command('unset')
    .description('return one setting to its default')
    .argument('<key>', 'setting name (see config list)')
    .addHelpText('after', examples('config unset clone_root'))
    .action(async (key: string) => (await import('./commands/config.js')).runConfigUnset(key));

  addSyncCommands(program);

  program
    .command('doctor')
    .description('check config, registry and project paths; list problems with their fix')
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', examples('doctor'))
    .action(async (options) => (await import('./commands/doctor.js')).runDoctor(options));

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples(
        'completion bash > ~/.local/share/bash-completion/completions/dev-infra',
        'completion zsh > ~/.zfunc/_dev-infra   # with fpath+=~/.zfunc in .zshrc',
        'completion fish > ~/.config/fish/completions/dev-infra.fish',
      ),
    )
    .action(async (shell: string) =>
      (await import('./commands/completion.js')).runCompletion(shell, program),
    );

  return program;
}
