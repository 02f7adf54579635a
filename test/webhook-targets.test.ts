// The SSRF rules of webhook targets (src/catalog/webhooks/targets.ts): every class of address
// the service must never call is refused, by literal and through DNS. The check at each delivery
// (DNS rebinding) is in test/webhooks.test.ts.
import { addressClass, parseTarget, RefusedTarget, resolveTarget } from '../src/catalog/webhooks/targets.ts';

describe('webhook targets', () => {
  const policy = { allowInsecureTargets: [] as string[] };
  // Every class of address the service must never call, as IP literals in a URL.
  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.254', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'], ['100.127.255.254', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'], ['169.254.0.1', 'linkLocal'], ['[fe80::1]', 'linkLocal'],
    ['[fc00::1]', 'uniqueLocal'], ['[fd12:3456::1]', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'], ['[::]', 'unspecified'], ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['[ff02::1]', 'multicast'],
    // IPv4-mapped IPv6 is judged as the IPv4 address it carries; other IPv4-in-IPv6 forms are refused as such.
    ['[::ffff:127.0.0.1]', 'loopback'], ['[::ffff:169.254.169.254]', 'linkLocal'], ['[::ffff:192.168.0.1]', 'private'],
    ['[64:ff9b::a00:1]', 'rfc6052'], ['[2002:a00:1::]', '6to4'],
    ['192.0.2.1', 'reserved'], ['198.18.0.1', 'reserved'], ['240.0.0.1', 'reserved'],
    // Decimal and hex spellings of 127.0.0.1: the URL parser normalises them first.
    ['2130706433', 'loopback'], ['0x7f.1', 'loopback'],
  ];
  test.each(refused)('https://%s/ is refused (%s)', async (host, range) => {
    const url = parseTarget(`https://${host}/hook`, policy);
    const refusal = await resolveTarget(url, policy).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RefusedTarget);
    expect(refusal).toMatchObject({ kind: 'forbidden', message: expect.stringContaining(`of the ${range} range`) });
  });

  test('public addresses pass, by literal and by name; a name with any private address is refused', async () => {
    expect(addressClass('93.184.215.14')).toBe('unicast');
    expect(addressClass('2606:4700::1111')).toBe('unicast');
    await expect(resolveTarget(parseTarget('https://[2606:4700::1111]/', policy), policy)).resolves.toMatchObject({ address: '2606:4700::1111', family: 6 });
    const lookup = async (host: string) =>
      host === 'good.example' ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }];
    await expect(resolveTarget(parseTarget('https://good.example/', policy), policy, lookup)).resolves.toMatchObject({ address: '93.184.215.14' });
    await expect(resolveTarget(parseTarget('https://mixed.example/', policy), policy, lookup)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(resolveTarget(parseTarget('https://nowhere.invalid/', policy), policy, async () => Promise.reject(new Error('ENOTFOUND')))).rejects.toMatchObject({ kind: 'invalid' });
    // http:// only for listed hosts, which may then be anywhere.
    expect(() => parseTarget('http://127.0.0.1:9/', policy)).toThrow('url must use https://');
    await expect(resolveTarget(parseTarget('http://127.0.0.1:9/', { allowInsecureTargets: ['127.0.0.1'] }), { allowInsecureTargets: ['127.0.0.1'] })).resolves.toMatchObject({ address: '127.0.0.1' });
  });
});
