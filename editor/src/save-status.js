/**
 * The saving indicator: "saved" only when the server acknowledged every local change,
 * "offline — N changes waiting" when disconnected; plus the warning on leaving the page
 * with unsaved changes.
 */

/**
 * The state to show for a provider status.
 * @returns {{state: string, key: string, params?: object}}
 */
export function describe(status) {
  if (status.error && status.pending > 0) return { state: 'error', key: 'editor.status.not_saved', params: { n: status.pending } };
  if (status.error && status.error.code === 'no_access') return { state: 'error', key: 'editor.status.removed' };
  if (status.error && status.error.code !== 'read_only') return { state: 'error', key: 'editor.status.refused' };
  if (!status.connected) {
    return status.pending > 0
      ? { state: 'offline', key: 'editor.status.offline_waiting', params: { n: status.pending } }
      : { state: 'offline', key: 'editor.status.offline' };
  }
  if (!status.joined || !status.synced) return { state: 'connecting', key: 'editor.status.connecting' };
  if (!status.canEdit) return { state: 'read-only', key: 'editor.status.read_only' };
  if (status.pending > 0) return { state: 'saving', key: 'editor.status.saving' };
  return { state: 'saved', key: 'editor.status.saved' };
}

export function saveStatus({ provider, element, t, window: win = window }) {
  let shown = '';
  const render = (status) => {
    const { state, key, params } = describe(status);
    const text = t(key, params);
    element.dataset.state = state;
    element.dataset.pending = String(status.pending);
    if (text !== shown) {
      element.textContent = text;
      shown = text;
    }
  };
  const onBeforeUnload = (event) => {
    if (provider.status.pending === 0) return;
    event.preventDefault();
    event.returnValue = t('editor.unsaved_warning');
  };
  provider.on('status', render);
  win.addEventListener('beforeunload', onBeforeUnload);
  render(provider.status);
  return {
    destroy() {
      provider.off('status', render);
      win.removeEventListener('beforeunload', onBeforeUnload);
    },
  };
}
