// Beside a record's detail on the Data screen: the records linked to it, by name (an account's
// organization, users, events and NPS responses; a user's accounts; an event's user, account and
// organization). Each opens in its own table.
import { useEffect, useState } from 'react';
import type { DataTable, RecordLinkGroup } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { formatNumber } from '../lib/format';

interface RecordLinksProps {
  table: DataTable;
  id: string;
  onOpen: (table: DataTable, id: string) => void;
}

export function RecordLinks({ table, id, onOpen }: RecordLinksProps) {
  const { api } = useApp();
  const [groups, setGroups] = useState<RecordLinkGroup[] | null>(null);

  useEffect(() => {
    let current = true;
    setGroups(null);
    api.getRecordLinks({ table, id }).then(
      (found) => current && setGroups(found),
      () => current && setGroups([]),
    );
    return () => {
      current = false;
    };
  }, [api, table, id]);

  if (!groups || groups.length === 0) return null;
  return (
    <div className="record-links">
      <h3>Linked records</h3>
      <dl className="facts">
        {groups.map((group) => (
          <div key={group.label}>
            <dt>
              {group.label}{' '}
              {group.total > 1 && (
                <span className="muted">
                  ({group.more ? `more than ${formatNumber(10_000)}` : formatNumber(group.total)})
                </span>
              )}
            </dt>
            <dd>
              {group.items.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ul className="link-list">
                  {group.items.map((item) => (
                    <li key={item.id}>
                      <button type="button" className="btn btn-link" onClick={() => onOpen(group.table, item.id)}>
                        {item.name ?? item.id}
                      </button>{' '}
                      <span className="muted mono small">{item.id}</span>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
