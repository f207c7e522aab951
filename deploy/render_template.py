"""Fill ${NAME} placeholders of a template from the environment (like envsubst, but strict).

Only ${UPPER_CASE} names are placeholders; nginx's own $variables are left alone. A
placeholder whose variable is unset is an error, so a typo never yields a broken config.

    python deploy/render_template.py deploy/nginx/gentle-hands.conf.template > out.conf
"""

from __future__ import annotations

import os
import re
import sys

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(text: str, env: dict[str, str]) -> str:
    missing = sorted({m for m in PLACEHOLDER.findall(text) if m not in env})
    if missing:
        raise KeyError("unset template variables: " + ", ".join(missing))
    return PLACEHOLDER.sub(lambda m: env[m.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        try:
            sys.stdout.write(render(f.read(), dict(os.environ)))
        except KeyError as e:
            print(f"{argv[1]}: {e.args[0]}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
