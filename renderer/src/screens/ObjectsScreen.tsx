// Objects: one tab per object type. Each says which files it reads (a regular expression with a live
// preview of what it selects) and how their columns map, and flags a mapping that cannot work
// before it is saved.
import { useState } from 'react';
import type { ObjectType } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { EmptyState } from '../components/EmptyState';
import { panelId, tabId, Tabs } from '../components/Tabs';
import { OBJECT_LABELS, OBJECT_TABS } from '../lib/object-types';
import { ObjectEditor } from './ObjectEditor';

export function ObjectsScreen() {
  const { overview, navigate } = useApp();
  const [selected, setSelected] = useState<ObjectType>('accounts');
  const [visited, setVisited] = useState<Set<ObjectType>>(() => new Set(['accounts']));
  const config = overview.config;

  function select(type: ObjectType) {
    setSelected(type);
    setVisited((current) => (current.has(type) ? current : new Set([...current, type])));
  }

  return (
    <section aria-labelledby="objects-title" className="screen">
      <div className="screen-head">
        <h1 id="objects-title" tabIndex={-1}>
          Objects
        </h1>
        <p className="screen-lead">
          For each kind of record, the files to read and which of their columns hold what. Saving a change starts a
          sync.
        </p>
      </div>
      {!config ? (
        <EmptyState
          title="Connect to your bucket first"
          action={
            <button type="button" className="btn btn-primary" onClick={() => navigate('connection')}>
              Go to Connection
            </button>
          }
        >
          The file patterns are previewed against the bucket, and the column pickers read the first matching file.
        </EmptyState>
      ) : (
        <>
          <Tabs
            label="Object types"
            idPrefix="objects"
            selected={selected}
            onSelect={select}
            tabs={OBJECT_TABS.map((type) => {
              const mapping = config.objects[type];
              const state = mapping?.enabled ? 'On' : 'Off';
              return {
                id: type,
                label: (
                  <>
                    {OBJECT_LABELS[type]}
                    <span className={`tab-badge ${mapping?.enabled ? 'tab-badge-on' : ''}`}>
                      <span className="visually-hidden">, </span>
                      {state}
                    </span>
                  </>
                ),
              };
            })}
          />
          {OBJECT_TABS.map((type) => (
            <div
              key={type}
              role="tabpanel"
              id={panelId('objects', type)}
              aria-labelledby={tabId('objects', type)}
              hidden={type !== selected}
              className="tab-panel"
            >
              {visited.has(type) && <ObjectEditor type={type} saved={config.objects[type]} />}
            </div>
          ))}
        </>
      )}
    </section>
  );
}
