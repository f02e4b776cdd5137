import type { Command } from 'commander';
import { readConfig, writeConfig } from '../config-store';
import { contextOf, type GlobalOptions, type Io } from '../context';
import { usageError } from '../errors';
import { table } from '../format';
import { baseUrl } from '../request';
import { configPath, maskSecret, profileName, withProfile } from '../settings';

/** `tandem config show|set|use`: the settings in effect and the config file's profiles. */
export function addConfigCommands(program: Command, io: Io): void {
  const config = program
    .command('config')
    .description('settings: flags, then TANDEM_* variables, then the config file')
    .addHelpText(
      'after',
      '\nThe file is $TANDEM_CONFIG, else ~/.config/tandem/config.json: {"current": "<profile>", "profiles": ' +
        '{"<profile>": {"url", "key", "relay_url", "relay_token"}}}. It is written readable by its owner only.',
    );

  config
    .command('show')
    .description('the settings in effect and where each comes from (secrets masked)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await contextOf(io, cmd);
      const s = ctx.settings;
      const view = {
        config_file: ctx.configPath,
        profile: s.profile,
        url: { value: s.url, from: s.sources.url },
        key: { value: maskSecret(s.key), from: s.sources.key },
        relay_url: { value: s.relayUrl ?? null, from: s.sources.relayUrl },
        relay_token: { value: maskSecret(s.relayToken), from: s.sources.relayToken },
      };
      ctx.print(view, () =>
        [
          `config file  ${view.config_file}`,
          `profile      ${view.profile}`,
          '',
          table(
            ['setting', 'value', 'from'],
            [
              ['url', view.url.value, view.url.from],
              ['key', view.key.value, view.key.from],
              ['relay_url', view.relay_url.value ?? '-', view.relay_url.from],
              ['relay_token', view.relay_token.value, view.relay_token.from],
            ],
          ),
        ].join('\n'),
      );
    });

  config
    .command('set')
    .description('store settings in a profile of the config file (the --profile one, else the current)')
    .option('--relay-url <url>', "a relay's HTTP endpoint for `tandem calls`")
    .option('--relay-token <token>', "the relay's token")
    .addHelpText(
      'after',
      '\nThe API settings are the global --url and --key: `tandem config set --url https://api.example --key "$KEY"`. ' +
        'An empty value removes a setting.',
    )
    .action(async (_o: unknown, cmd: Command) => {
      // Not contextOf: the profile named may not exist yet.
      const o = cmd.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
      const path = configPath(io.env, io.home);
      const changes = {
        url: o.url,
        key: o.key,
        relay_url: o.relayUrl as string | undefined,
        relay_token: o.relayToken as string | undefined,
      };
      if (Object.values(changes).every((v) => v === undefined)) {
        throw usageError('nothing to set: pass --url, --key, --relay-url or --relay-token');
      }
      if (changes.url) baseUrl(changes.url);
      if (changes.relay_url) baseUrl(changes.relay_url, 'the relay URL');
      const file = await readConfig(path);
      const name = profileName({ profile: o.profile }, io.env, file);
      await writeConfig(path, withProfile(file, name, changes));
      io.stderr.write(`profile ${name} saved in ${path}\n`);
    });

  config
    .command('use <profile>')
    .description('make a profile of the config file the current one')
    .action(async (name: string) => {
      const path = configPath(io.env, io.home);
      const file = await readConfig(path);
      if (!file?.profiles[name]) throw usageError(`no profile ${JSON.stringify(name)} in ${path}`);
      await writeConfig(path, { ...file, current: name });
      io.stderr.write(`profile ${name} is now the current one\n`);
    });
}
