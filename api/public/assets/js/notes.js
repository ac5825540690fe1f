// What operators add to a task beside the decision: comments and labels. Each change is a call that
// answers with the task; `act(call)` runs it and shows the task as it now is.
import { inbox } from './api.js';
import { dateTime, h } from './dom.js';

export function renderComments(container, task, act) {
  const list = (task.comments ?? []).map((c) => h('li', {}, h('p', { class: 'comment-meta' }, `${c.by} · ${dateTime(c.at)}`), h('p', { class: 'comment-text' }, c.text)));
  const text = h('textarea', { id: 'comment-text', name: 'text', rows: 2, maxlength: 2000, required: true });
  const submit = async (event) => {
    event.preventDefault();
    if (text.value.trim()) await act(() => inbox.comment(task.taskId, text.value.trim()));
  };
  container.replaceChildren(
    list.length ? h('ul', { class: 'comments' }, list) : h('p', { class: 'muted' }, 'No comments yet.'),
    h('form', { class: 'inline-form', onsubmit: submit }, h('label', { for: 'comment-text' }, 'Add a comment'), text, h('button', { type: 'submit' }, 'Add comment')),
  );
}

export function renderLabels(container, task, act) {
  const remove = (label) => () => void act(() => inbox.labels(task.taskId, { remove: [label] }));
  const chips = (task.labels ?? []).map((label) =>
    h('li', { class: 'label' }, label, h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove label ${label}`, onclick: remove(label) }, '×')),
  );
  const input = h('input', { id: 'label-text', name: 'label', maxlength: 40, autocomplete: 'off' });
  const submit = async (event) => {
    event.preventDefault();
    if (input.value.trim()) await act(() => inbox.labels(task.taskId, { add: [input.value.trim()] }));
  };
  container.replaceChildren(
    chips.length ? h('ul', { class: 'labels' }, chips) : h('p', { class: 'muted' }, 'No labels.'),
    h('form', { class: 'inline-form row', onsubmit: submit }, h('label', { for: 'label-text' }, 'Add label'), input, h('button', { type: 'submit' }, 'Add')),
  );
}
