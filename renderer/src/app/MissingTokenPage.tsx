export function MissingTokenPage() {
  return (
    <div className="startup">
      <h1>S3 CSV Sync</h1>
      <p>
        This page needs the access token of the web preview. Open the address that <code>npm run web</code> printed: it
        ends in <code>?token=…</code>.
      </p>
    </div>
  );
}
