// The decision panel: one button per action; the chosen action's data form is rendered by
// JSONEditor from the JSON Schema the API serves (generated from the same zod schema the run
// validates with), and the run's problem+json answer is shown next to the fields it names.
import { h, humanize } from './dom.js';

const EDITOR_SRC = '/inbox/assets/vendor/jsoneditor.js';
const MONEY_FIELD = /Cents$/;
let editorScript;

/** JSONEditor is large and only needed once a task is opened: fetched on first use. */
export function loadJsonEditor() {
  if (window.JSONEditor) return Promise.resolve(window.JSONEditor);
  editorScript ??= new Promise((resolve, reject) => {
    const script = h('script', { src: EDITOR_SRC });
    script.addEventListener('load', () => resolve(window.JSONEditor));
    script.addEventListener('error', () => {
      editorScript = undefined;
      reject(new Error('The form editor could not be loaded'));
    });
    document.head.append(script);
  });
  return editorScript;
}

/** Looks for `key` in the task context and one level below it (e.g. context.claim.amountCents). */
function fromContext(context, key) {
  if (context && key in context) return context[key];
  for (const value of Object.values(context ?? {})) if (value && typeof value === 'object' && key in value) return value[key];
  return undefined;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Money fields (integers named …Cents) at any depth of an object schema become amounts in
 * currency units, so an operator types 900.00, not 90000. Returns the converted fields' paths
 * (['item', 'bonusCents']), to turn back into cents on submit.
 */
function moneyInUnits(schema, path = []) {
  const found = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (MONEY_FIELD.test(key) && prop.type === 'integer') {
      found.push([...path, key]);
      Object.assign(prop, { type: 'number', title: prop.title ?? humanize(key.replace(MONEY_FIELD, '')) });
      if (typeof prop.minimum === 'number') prop.minimum /= 100;
      if (typeof prop.maximum === 'number') prop.maximum /= 100;
      prop.description = 'e.g. 900.00';
    } else if (prop.type === 'object') {
      found.push(...moneyInUnits(prop, [...path, key]));
    }
    prop.title ??= humanize(key);
  }
  return found;
}

/** Applies `fn` to the value at `path` of `value` (a copy), when there is a number there. */
function mapAt(value, path, fn) {
  if (!isObject(value)) return value;
  const [key, ...rest] = path;
  if (!(key in value)) return value;
  return { ...value, [key]: rest.length ? mapAt(value[key], rest, fn) : typeof value[key] === 'number' ? fn(value[key]) : value[key] };
}

/** Keeps only the keys the schema has (at every depth): the form takes no other. */
function fitTo(schema, value) {
  if (!isObject(value) || !schema.properties) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k in schema.properties).map(([k, v]) => [k, schema.properties[k].type === 'object' ? fitTo(schema.properties[k], v) : v]));
}

/**
 * Readies an action's data schema for the operator: titles from the field names, money fields in
 * currency units, and the form's starting values: the action's prefill from the API (fix-and-retry:
 * the item's current data; a QA fail: what was entered) and a money field's current amount from the
 * task's context. `toData` turns the edited value back into the API's shape; an optional group of
 * fields left as it was prefilled is left out (a QA correction nobody changed is no correction).
 */
function prepare(action, dataSchema, context, prefill) {
  const schema = structuredClone(dataSchema ?? { type: 'object', properties: {} });
  delete schema.$schema;
  schema.title = humanize(action);
  const required = new Set(schema.required ?? []);
  const money = moneyInUnits(schema);
  let startval = fitTo(schema, structuredClone(prefill ?? {}));
  for (const path of money) {
    if (path.length === 1 && startval[path[0]] === undefined) {
      const current = fromContext(context, path[0]);
      if (typeof current === 'number') startval[path[0]] = current;
    }
    startval = mapAt(startval, path, (cents) => cents / 100);
  }
  const untouched = structuredClone(startval);
  const toData = (value) => {
    let data = {};
    for (const [key, v] of Object.entries(value ?? {})) {
      if (v === '' && !required.has(key)) continue; // an untouched optional field, not an empty answer
      if (!required.has(key) && isObject(v) && key in untouched && same(v, untouched[key])) continue;
      data[key] = v;
    }
    for (const path of money) data = mapAt(data, path, (units) => Math.round(units * 100));
    return data;
  };
  const localErrors = (value) => {
    const issues = [];
    for (const path of money) {
      let v = value;
      for (const key of path) v = isObject(v) ? v[key] : undefined;
      if (typeof v === 'number' && Math.abs(v * 100 - Math.round(v * 100)) > 1e-6) issues.push({ field: `data.${path.join('.')}`, message: 'At most two decimals' });
    }
    return issues;
  };
  return { schema, startval, toData, localErrors };
}

export class DecisionPanel {
  #actions;
  #forms;
  #prefill;
  #context;
  #submit;
  #editor;
  #chosen;
  #el = {};

  /** onSubmit(action, data) resolves when the decision is recorded, or throws a Problem. */
  constructor({ actions, forms, prefill, context, disabledReason, onSubmit }) {
    this.#actions = actions;
    this.#forms = forms ?? {};
    this.#prefill = prefill ?? {};
    this.#context = context;
    this.#submit = onSubmit;
    const buttons = actions.map((action) =>
      h('button', { type: 'button', 'data-action': action, 'aria-pressed': 'false', disabled: Boolean(disabledReason), onclick: () => void this.choose(action) }, humanize(action)),
    );
    this.#el.problem = h('div', { class: 'problem', role: 'alert' });
    this.#el.holder = h('div', { class: 'editor' });
    this.#el.submit = h('button', { type: 'submit', class: 'primary' }, 'Submit');
    this.#el.form = h(
      'form',
      { class: 'decision-form', hidden: true, novalidate: true, onsubmit: (e) => (e.preventDefault(), void this.#send()) },
      this.#el.holder,
      this.#el.problem,
      h('div', { class: 'form-buttons' }, this.#el.submit, h('button', { type: 'button', 'data-keep-enabled': true, onclick: () => this.#reset() }, 'Cancel')),
    );
    this.element = h(
      'section',
      { class: 'panel decision', 'aria-labelledby': 'decision-title' },
      h('h2', { id: 'decision-title' }, 'Decision'),
      disabledReason ? h('p', { class: 'note' }, disabledReason) : null,
      h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, buttons),
      this.#el.form,
    );
  }

  has(action) {
    return this.#actions.includes(action);
  }

  /** Shows the action's form and puts the cursor in its first field. */
  async choose(action) {
    if (!this.has(action)) return;
    this.#chosen = action;
    for (const b of this.element.querySelectorAll('[data-action]')) b.setAttribute('aria-pressed', String(b.dataset.action === action));
    this.#editor?.destroy();
    this.#el.problem.replaceChildren();
    const JSONEditor = await loadJsonEditor();
    if (this.#chosen !== action) return; // another action was chosen while the editor loaded
    const prepared = prepare(action, this.#forms[action], this.#context, this.#prefill[action]);
    this.#el.holder.replaceChildren();
    this.#editor = new JSONEditor(this.#el.holder, {
      schema: prepared.schema,
      ...(Object.keys(prepared.startval).length ? { startval: prepared.startval } : {}),
      theme: 'html',
      iconlib: null,
      disable_collapse: true,
      disable_edit_json: true,
      disable_properties: true,
      disable_array_reorder: true,
      no_additional_properties: true,
      prompt_before_delete: false,
      show_errors: 'interaction',
    });
    this.#editor.prepared = prepared;
    const editor = this.#editor;
    if (!editor.ready) await new Promise((resolve) => editor.on('ready', resolve));
    if (this.#editor !== editor) return;
    this.#el.submit.textContent = `Submit: ${humanize(action)}`;
    this.#el.form.hidden = false;
    // The first field, not JSONEditor's hidden "edit JSON" and "properties" controls that precede it.
    (this.#el.holder.querySelector('.form-control :is(input, textarea, select)') ?? this.#el.submit).focus();
  }

  destroy() {
    this.#editor?.destroy();
    this.#editor = undefined;
  }

  #reset() {
    this.destroy();
    this.#chosen = undefined;
    this.#el.form.hidden = true;
    for (const b of this.element.querySelectorAll('[data-action]')) b.setAttribute('aria-pressed', 'false');
    this.element.querySelector('[data-action]')?.focus();
  }

  async #send() {
    const editor = this.#editor;
    if (!editor) return;
    // Enter submits before the focused input's change event has reached JSONEditor: send it now.
    const active = document.activeElement;
    if (active && this.#el.holder.contains(active)) active.dispatchEvent(new Event('change', { bubbles: true }));
    const value = editor.getValue();
    const local = editor.prepared.localErrors(value);
    if (local.length) return this.#showProblem({ title: 'Check the form', errors: local });
    this.#el.submit.disabled = true;
    this.#el.problem.replaceChildren();
    try {
      await this.#submit(this.#chosen, editor.prepared.toData(value));
    } catch (problem) {
      this.#showProblem(problem);
    } finally {
      this.#el.submit.disabled = false;
    }
  }

  /** The problem's title above the buttons, and each `errors[].field` message under its field. */
  #showProblem(problem) {
    for (const old of this.#el.holder.querySelectorAll('.field-error')) old.remove();
    for (const input of this.#el.holder.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    const unplaced = [];
    for (const { field, message } of problem.errors ?? []) {
      const path = String(field).replace(/^(body\.)?data\.?/, '');
      const fieldEditor = path && path !== String(field) ? this.#editor?.getEditor(`root.${path}`) : null;
      if (!fieldEditor?.container) {
        unplaced.push(`${field}: ${message}`);
        continue;
      }
      const id = `error-${this.#chosen}-${path.replace(/\W/g, '-')}`;
      const note = h('p', { class: 'field-error', id }, message);
      const control = fieldEditor.container.querySelector('.form-control') ?? fieldEditor.container;
      control.append(note);
      control.addEventListener('input', () => note.remove(), { once: true }); // stale once edited
      const input = control.querySelector('input, textarea, select');
      input?.setAttribute('aria-invalid', 'true');
      input?.setAttribute('aria-describedby', id);
    }
    this.#el.problem.replaceChildren(h('p', { class: 'error' }, h('strong', {}, problem.title ?? 'Not saved'), problem.detail ? ` ${problem.detail}` : ''));
    if (unplaced.length) this.#el.problem.append(h('ul', {}, unplaced.map((u) => h('li', {}, u))));
    (this.#el.holder.querySelector('[aria-invalid="true"]') ?? this.#el.submit).focus();
  }
}
