import { holdGate } from '../../../src/bridge/inbound/hold-gate';

describe('hold gate', () => {
  it('when nothing holds it, then items pass at once; held, they wait and pass in order at release', () => {
    const passed: number[] = [];
    const gate = holdGate<number>((n) => void passed.push(n));
    gate.pass(1);
    const release = gate.hold();
    gate.pass(2);
    gate.pass(3);
    expect(passed).toEqual([1]);
    release();
    expect(passed).toEqual([1, 2, 3]);
    gate.pass(4);
    expect(passed).toEqual([1, 2, 3, 4]);
  });

  it('when held twice, then items wait for the last release; releasing twice changes nothing', () => {
    const passed: string[] = [];
    const gate = holdGate<string>((s) => void passed.push(s));
    const first = gate.hold();
    const second = gate.hold();
    gate.pass('a');
    first();
    first();
    expect(passed).toEqual([]);
    second();
    expect(passed).toEqual(['a']);
  });
});
