import { useEffect, useState } from 'react';
import { mgmt } from '../api.js';
import { ActionButton, ErrorNote, Loading, Notice, useLoad } from '../ui.js';

interface TestNumber {
  number: string;
  code: string | null;
}

/** Branding › Phone Test Numbers: `GET/PUT /branding/phone/test-numbers` (our extension). */
export function TestNumbersPage({ tenant, readOnly }: { tenant: string; readOnly: boolean }) {
  const { data, error, loading } = useLoad(() => mgmt<{ numbers: TestNumber[] }>(tenant, 'GET', '/branding/phone/test-numbers'), [tenant]);
  const [rows, setRows] = useState<Array<{ number: string; code: string }>>([]);
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (data) setRows(data.numbers.map((n) => ({ number: n.number, code: n.code ?? '' })));
  }, [data]);

  const change = (i: number, k: 'number' | 'code', v: string) => {
    setSaved(false);
    setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  };
  const save = async () => {
    setSaveError(undefined);
    setSaved(false);
    try {
      const body = { numbers: rows.filter((r) => r.number.trim()).map((r) => ({ number: r.number.trim(), code: r.code.trim() || null })) };
      const res = await mgmt<{ numbers: TestNumber[] }>(tenant, 'PUT', '/branding/phone/test-numbers', body);
      setRows(res.numbers.map((n) => ({ number: n.number, code: n.code ?? '' })));
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
  };

  if (loading) return <Loading />;
  if (error) return <ErrorNote error={error} />;
  return (
    <section className="card" aria-labelledby="test-numbers-title">
      <h2 id="test-numbers-title">Test phone numbers</h2>
      <p className="muted">
        Messages to these numbers are rendered and recorded but never reach the provider: they end as <em>delivered</em>, and the log line <code>phone_test_number</code> holds the rendered text. A fixed code (4 to 10 digits) makes the sign-in flows use it, for automated tests of your own apps. Never list a real person's number.
      </p>
      {rows.length === 0 && <p className="muted">No test numbers.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="test-numbers">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Fixed code</th>
                {!readOnly && (
                  <th scope="col">
                    <span className="visually-hidden">Remove</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td>
                    <input aria-label={`Test number ${i + 1}`} type="tel" value={r.number} disabled={readOnly} onChange={(e) => change(i, 'number', e.target.value)} placeholder="+15555550100" />
                  </td>
                  <td>
                    <input aria-label={`Fixed code of test number ${i + 1}`} inputMode="numeric" value={r.code} disabled={readOnly} onChange={(e) => change(i, 'code', e.target.value)} placeholder="random" size={10} />
                  </td>
                  {!readOnly && (
                    <td>
                      <button type="button" className="btn btn-secondary btn-small" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove test number ${i + 1}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!readOnly && (
        <div className="row">
          <button type="button" className="btn btn-secondary" onClick={() => setRows([...rows, { number: '', code: '' }])} disabled={rows.length >= 100}>
            Add a number
          </button>
          <ActionButton onClick={save} busyLabel="Saving…">
            Save
          </ActionButton>
        </div>
      )}
      <ErrorNote error={saveError} />
      {saved && <Notice kind="ok">Saved.</Notice>}
    </section>
  );
}
