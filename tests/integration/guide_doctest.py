#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the commands of a Markdown page and compare what they print with
what the page shows, so that a tutorial cannot drift from the code.

What is run, in the page's order, by one bash process in WORKDIR:
  * ```console blocks: a line "$ CMD" is a command, a line "> MORE" goes on
    with it (a here-document, a long command), other lines are what it
    prints (stdout and stderr together);
  * a fenced block right after "<!-- file: NAME -->" is written to NAME.
What the page shows must match what the command printed, line by line,
blank lines left out: "..." inside a line stands for any text, a line
"..." alone for any number of lines. After "<!-- numbers vary -->", every
number in the next console block's output stands for any number.
Other blocks (```sh, ```c without a file comment, ...) are not run.

Usage: guide_doctest.py PAGE.md WORKDIR [TIMEOUT_SECONDS]
Exit: 0 if every command printed what the page shows, 1 otherwise.
"""
import re
import subprocess
import sys

MARK = '@@pk-doctest'


def parse(page):
    """The page's steps: ('file', name, text) and ('cmd', cmd, expected,
    numbers_vary, line_number)."""
    steps, lines = [], open(page, encoding='utf-8').read().split('\n')
    i, pending_file, vary = 0, None, False
    while i < len(lines):
        line = lines[i]
        m = re.match(r'\s*<!--\s*file:\s*(\S+)\s*-->\s*$', line)
        if m:
            pending_file = m.group(1)
            i += 1
            continue
        if re.match(r'\s*<!--\s*numbers vary\s*-->\s*$', line):
            vary = True
            i += 1
            continue
        m = re.match(r'(\s*)```(\S*)', line)
        if not m:
            i += 1
            continue
        indent, lang, start = m.group(1), m.group(2), i + 1
        i += 1
        while i < len(lines) and not re.match(r'\s*```\s*$', lines[i]):
            i += 1
        body = [x[len(indent):] if x.startswith(indent) else x.lstrip()
                for x in lines[start:i]]
        i += 1
        if pending_file is not None:
            steps.append(('file', pending_file, '\n'.join(body) + '\n'))
        elif lang == 'console':
            cmd = None
            for n, x in enumerate(body):
                if x.startswith('$ '):
                    if cmd is not None:
                        steps.append(('cmd', '\n'.join(cmd), exp, vary, at))
                    cmd, exp, at = [x[2:]], [], start + n + 1
                elif x.startswith('> ') or x == '>':
                    cmd.append(x[2:])
                elif cmd is not None:
                    exp.append(x)
            if cmd is not None:
                steps.append(('cmd', '\n'.join(cmd), exp, vary, at))
            vary = False
        pending_file = None
    return steps


def line_regex(exp, vary):
    """A regular expression for one expected line."""
    out = []
    for p in exp.rstrip().split('...'):
        if vary:
            out.append(''.join(r'\d+' if t.isdigit() else re.escape(t)
                               for t in re.split(r'(\d+)', p)))
        else:
            out.append(re.escape(p))
    return re.compile('^' + '.*'.join(out) + '$')


def match(expected, got, vary):
    """Does got (lines) match expected (lines, with ... wildcards)?"""
    exp = [e for e in expected if e.strip() != '']
    got = [g.rstrip() for g in got if g.strip() != '']
    # ok[j]: the expected lines so far match got[:j]
    ok = [True] + [False] * len(got)
    for e in exp:
        if e.strip() == '...':
            for j in range(1, len(got) + 1):
                ok[j] = ok[j] or ok[j - 1]
            continue
        r = line_regex(e, vary)
        ok = [False] + [ok[j] and bool(r.match(got[j]))
                        for j in range(len(got))]
    return ok[len(got)]


def main():
    page, work = sys.argv[1], sys.argv[2]
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    steps = parse(page)
    script = ['exec 2>&1', 'cd "$1" || exit 99']
    cmds = []
    for s in steps:
        if s[0] == 'file':
            # written by the shell too, so that it happens in page order
            delim = 'PK_DOCTEST_FILE_END'
            script += ["cat > '%s' <<'%s'" % (s[1], delim),
                       s[2].rstrip('\n'), delim]
            continue
        # keep $? of the previous command for this one ("echo $?")
        script += ['__pk_rc=$?', "printf '\\n%s %d\\n'" % (MARK, len(cmds)),
                   '( exit $__pk_rc )', s[1]]
        cmds.append(s)
    script += ["printf '\\n%s end\\n'" % MARK]
    try:
        r = subprocess.run(['bash', '-c', '\n'.join(script), 'doctest', work],
                           stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           timeout=timeout)
        out = r.stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode('utf-8', 'replace')
        print('the commands took more than %d s' % timeout)
    chunks, cur, ended = {}, None, False
    for line in out.split('\n'):
        m = re.match(MARK + r' (\d+|end)$', line)
        if m:
            ended = m.group(1) == 'end'
            cur = None if ended else int(m.group(1))
            chunks[cur] = []
        elif cur is not None:
            chunks[cur].append(line)
    bad = 0
    for n, (_, cmd, exp, vary, at) in enumerate(cmds):
        got = chunks.get(n)
        if got is None:
            print('%s:%d: not run: %s' % (page, at, cmd.split('\n')[0]))
            bad += 1
        elif not match(exp, got, vary):
            bad += 1
            print('%s:%d: $ %s' % (page, at, cmd.split('\n')[0]))
            print('  the page shows:')
            for e in exp:
                print('    | ' + e)
            print('  it printed:')
            for g in got:
                print('    | ' + g)
    if not ended:
        print('%s: the commands did not all run' % page)
        bad += 1
    print('%s: %d commands, %d as the page shows' %
          (page, len(cmds), len(cmds) - bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
