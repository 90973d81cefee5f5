// Reads {"update": base64 Yjs update, "positions": [relative position JSON, ...]} on stdin and
// prints, for each position, where Yjs itself puts it: {"type": path of the shared type it is
// in, "index": UTF-16 index} or null. The Python anchoring is checked against this.
import * as Y from 'yjs';

function pathOf(type) {
  const path = [];
  let current = type;
  while (current._item) {
    const item = current._item;
    const parent = item.parent;
    if (item.parentSub) path.unshift(item.parentSub);
    else {
      let index = 0;
      for (let n = parent._start; n && n !== item; n = n.right) if (!n.deleted && n.countable) index += 1;
      path.unshift(index);
    }
    current = parent;
  }
  for (const [name, root] of current.doc.share) if (root === current) { path.unshift(name); break; }
  return path;
}

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { update, roots, positions } = JSON.parse(input);
  const doc = new Y.Doc();
  for (const [name, kind] of Object.entries(roots)) {
    if (kind === 'xml') doc.getXmlFragment(name); else if (kind === 'text') doc.getText(name); else doc.getArray(name);
  }
  Y.applyUpdate(doc, Buffer.from(update, 'base64'));
  const out = positions.map((json) => {
    const absolute = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc);
    return absolute ? { type: pathOf(absolute.type), index: absolute.index } : null;
  });
  process.stdout.write(JSON.stringify(out));
});
