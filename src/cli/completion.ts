/**
 * `placesim completion bash|zsh|fish`: a shell completion script, generated from the program's own command
 * and option declarations so that it cannot drift from them. File arguments complete to scenario files
 * (.yaml, .yml, .json) and folders; everything else is left to the shell.
 */
import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface CommandSpec {
  name: string;
  description: string;
  /** Long and short flags, e.g. --policy, -q. */
  flags: { long?: string; short?: string; description: string; takesValue: boolean }[];
  /** Fixed choices for the first argument (catalog: devices | instances | regions), else none. */
  choices: string[];
}

function optionSpec(o: Option): CommandSpec['flags'][number] {
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    takesValue: o.required || o.optional,
  };
}

function specs(program: Command): { global: CommandSpec['flags']; commands: CommandSpec[] } {
  const visible = (o: Option): boolean => !o.hidden;
  const global = [
    ...program.options.filter(visible).map(optionSpec),
    { long: '--help', short: '-h', description: 'display help', takesValue: false },
  ];
  const commands = program.commands.map((c) => {
    const args = c.registeredArguments;
    return {
      name: c.name(),
      description: c.description(),
      flags: [
        ...c.options.filter(visible).map(optionSpec),
        { long: '--help', short: '-h', description: 'display help for command', takesValue: false },
      ],
      choices: args[0]?.argChoices ?? [],
    };
  });
  return { global, commands };
}

/** A description on one line, without characters the shell's quoting would trip on. */
function plain(text: string, max = 70): string {
  const one = text.replace(/\s+/g, ' ').replace(/['"`$\\[\]:]/g, '');
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

const flagWords = (c: { flags: CommandSpec['flags'] }): string =>
  c.flags
    .flatMap((f) => [f.long, f.short])
    .filter(Boolean)
    .join(' ');

function bash(program: Command): string {
  const { global, commands } = specs(program);
  const names = commands.map((c) => c.name).join(' ');
  const cases = commands
    .map((c) => {
      const valued = c.flags.filter((f) => f.takesValue && f.long).map((f) => f.long);
      const choices = c.choices.length > 0 ? ` ${c.choices.join(' ')}` : '';
      return [
        `    ${c.name})`,
        `      opts="${flagWords(c)} ${flagWords({ flags: global })}"`,
        `      valued="${valued.join(' ')}"`,
        `      words="${choices.trim()}"`,
        `      ;;`,
      ].join('\n');
    })
    .join('\n');
  return `# bash completion for placesim. Load it with:  source <(npx placesim completion bash)
# or save it:  npx placesim completion bash > ~/.local/share/bash-completion/completions/placesim
_placesim() {
  local cur prev cmd opts valued words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${names} ${flagWords({ flags: global })}" -- "$cur"))
    return
  fi
  opts=""; valued=""; words=""
  case "$cmd" in
${cases}
  esac
  if [[ " $valued " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  if [[ "$cmd" == completion ]]; then
    COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur"))
    return
  fi
  if [[ -n "$words" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  # Scenario files and Results: YAML and JSON, and folders to walk into.
  COMPREPLY=($(compgen -d -S / -- "$cur") $(compgen -f -X '!*.@(yaml|yml|json)' -- "$cur"))
  compopt -o nospace 2>/dev/null
  [[ \${#COMPREPLY[@]} -eq 1 && "\${COMPREPLY[0]}" != */ ]] && compopt +o nospace 2>/dev/null
}
shopt -s extglob 2>/dev/null
complete -F _placesim placesim
`;
}

function zsh(program: Command): string {
  const { global, commands } = specs(program);
  const flagSpec = (f: CommandSpec['flags'][number]): string => {
    const d = plain(f.description);
    const value = f.takesValue ? ':value:_files' : '';
    if (f.long && f.short) return `'(${f.short} ${f.long})'{${f.short},${f.long}}'[${d}]${value}'`;
    return `'${f.long ?? f.short}[${d}]${value}'`;
  };
  const cmdList = commands.map((c) => `    '${c.name}:${plain(c.description)}'`).join('\n');
  const cases = commands
    .map((c) => {
      const arg =
        c.name === 'completion'
          ? `'1:shell:(${SHELLS.join(' ')})'`
          : c.choices.length > 0
            ? `'1:what:(${c.choices.join(' ')})'`
            : `'*:scenario file:_files -g "*.(yaml|yml|json)"'`;
      return `    ${c.name})\n      _arguments ${[...c.flags.map(flagSpec), arg].join(' \\\n        ')}\n      ;;`;
    })
    .join('\n');
  return `#compdef placesim
# zsh completion for placesim. Save it as _placesim in a folder on $fpath, e.g.:
#   npx placesim completion zsh > ~/.zfunc/_placesim   (with fpath=(~/.zfunc $fpath) before compinit)
_placesim() {
  local -a commands
  commands=(
${cmdList}
  )
  local curcontext="$curcontext" state line
  _arguments -C ${global.map(flagSpec).join(' ')} '1:command:->cmd' '*::arg:->args'
  case $state in
  cmd)
    _describe 'command' commands
    ;;
  args)
    case $line[1] in
${cases}
    esac
    ;;
  esac
}
compdef _placesim placesim 2>/dev/null || _placesim "$@"
`;
}

function fish(program: Command): string {
  const { global, commands } = specs(program);
  const names = commands.map((c) => c.name).join(' ');
  const lines: string[] = [
    '# fish completion for placesim. Save it:  npx placesim completion fish > ~/.config/fish/completions/placesim.fish',
    'complete -c placesim -f',
    `complete -c placesim -n "not __fish_seen_subcommand_from ${names}" -a "${names}"`,
  ];
  const flagLine = (cond: string, f: CommandSpec['flags'][number]): string => {
    const parts = [`complete -c placesim -n "${cond}"`];
    if (f.short) parts.push(`-s ${f.short.slice(1)}`);
    if (f.long) parts.push(`-l ${f.long.slice(2)}`);
    if (f.takesValue) parts.push('-r -F');
    parts.push(`-d '${plain(f.description)}'`);
    return parts.join(' ');
  };
  for (const f of global) lines.push(flagLine('true', f));
  for (const c of commands) {
    const cond = `__fish_seen_subcommand_from ${c.name}`;
    lines.push(
      `complete -c placesim -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d '${plain(c.description)}'`,
    );
    for (const f of c.flags) lines.push(flagLine(cond, f));
    if (c.name === 'completion') lines.push(`complete -c placesim -n "${cond}" -a "${SHELLS.join(' ')}"`);
    else if (c.choices.length > 0) lines.push(`complete -c placesim -n "${cond}" -a "${c.choices.join(' ')}"`);
    else
      lines.push(
        `complete -c placesim -n "${cond}" -a "(__fish_complete_suffix .yaml; __fish_complete_suffix .yml; __fish_complete_suffix .json)"`,
      );
  }
  return lines.join('\n') + '\n';
}

/** The completion script for `shell`, built from the program's declarations. */
export function completionScript(program: Command, shell: Shell): string {
  if (shell === 'bash') return bash(program);
  if (shell === 'zsh') return zsh(program);
  return fish(program);
}
