/** Table shapes of migration 0003 (Actions); portable like the rest (see schema.ts). */
export interface ActionsTable {
  id: string;
  tenant_id: string;
  name: string;
  supported_triggers: string;
  code: string;
  dependencies: string;
  runtime: string;
  /** JSON of `[{name, updated_at}]`: names only. */
  secrets: string;
  secrets_sealed: string | null;
  exclusive_trigger: string | null;
  all_changes_deployed: number;
  created_at: string;
  updated_at: string;
}

export interface ActionVersionsTable {
  id: string;
  tenant_id: string;
  action_id: string;
  number: number;
  code: string;
  dependencies: string;
  runtime: string;
  supported_triggers: string;
  secrets: string;
  secrets_sealed: string | null;
  deployed: number;
  created_at: string;
  updated_at: string;
}

export interface ActionBindingsTable {
  id: string;
  tenant_id: string;
  trigger_id: string;
  action_id: string;
  position: number;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface ActionExecutionsTable {
  id: string;
  tenant_id: string;
  trigger_id: string;
  status: string;
  results: string;
  created_at: string;
  updated_at: string;
}

export interface ActionCacheTable {
  tenant_id: string;
  trigger_id: string;
  key: string;
  value: string;
  expires_at: string;
}
