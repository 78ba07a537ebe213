/**
 * Kubernetes' `$(VAR)` expansion of `env[].value`, with the kubelet's exact rules
 * (third_party/forked/golang/expansion): `$(NAME)` becomes the value of NAME when it is defined
 * (earlier in the container's env, from envFrom, or a Service link variable), and stays as
 * written when it is not; `$$` is an escaped `$`; a `$` before anything else, or an unclosed
 * `$(`, is kept literally.
 */
export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor += 1) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close === -1) {
        out += '$(';
      } else {
        const name = rest.slice(1, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close + 1;
      }
    } else {
      out += `$${rest[0] ?? ''}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
