/**
 * What the server put in the card page: the editor's mount point and its data attributes,
 * the card template, the interface messages and the CSRF token.
 */

function readJson(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The card page has no #${id} script; cannot build the editor.`);
  return JSON.parse(node.textContent);
}

/**
 * @returns {{root: HTMLElement, cardId: number, lang: string, canEdit: boolean,
 *   canComment: boolean, criteriaUrl: string, approvalUrl: string, user: {id: number|null, name: string, organisation: string},
 *   template: any, messages: Record<string, string>, csrf: string, dir: string}}
 */
export function readPage() {
  const root = document.getElementById('card-editor');
  if (!root) throw new Error('The card page has no #card-editor element.');
  const data = root.dataset;
  return {
    root,
    cardId: Number(data.cardId),
    lang: data.lang || document.documentElement.lang || 'ar',
    dir: document.documentElement.dir || 'rtl',
    canEdit: data.canEdit === 'true',
    canComment: data.canComment === 'true',
    criteriaUrl: data.criteriaUrl,
    approvalUrl: data.approvalUrl,
    user: { id: Number(data.userId) || null, name: data.userName || '', organisation: data.userOrganisation || '' },
    template: readJson('card-template'),
    messages: readJson('card-i18n'),
    csrf: document.querySelector('meta[name="csrf-token"]')?.content || '',
  };
}
