import { FrontDoor } from '../../../../src/whatsapp/cloud/front-door';

describe('the webhook front door reads pressure from how long requests wait', () => {
  const door = () => new FrontDoor({ budgetMs: 10, quietAfterMs: 50 });

  it('when requests are answered within the budget, then there is no pressure', () => {
    const d = door();
    for (let t = 0; t < 100; t++) d.answered(3, t);
    expect(d.pressed(100)).toBe(false);
  });

  it('when requests wait longer than the budget, then there is pressure, and it lifts as they speed up again', () => {
    const d = door();
    for (let t = 0; t < 30; t++) d.answered(40, t);
    expect(d.pressed(30)).toBe(true);
    let t = 30;
    while (d.pressed(t)) d.answered(2, t++);
    // A moving average: a single fast answer does not lift it, a run of them does.
    expect(t - 30).toBeGreaterThan(5);
    expect(t - 30).toBeLessThan(40);
  });

  it('when no request has come for a while, then there is no pressure, whatever the last ones waited', () => {
    const d = door();
    for (let t = 0; t < 30; t++) d.answered(40, t);
    expect(d.pressed(60)).toBe(true);
    expect(d.pressed(29 + 50)).toBe(false);
  });

  it('when nothing has come yet, then there is no pressure', () => {
    expect(door().pressed(0)).toBe(false);
  });
});
