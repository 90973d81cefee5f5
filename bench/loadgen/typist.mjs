// What one keystroke writes into a card's document, and the cursor it leaves.
//
//   plain text  one character at a random place of the `title` field (a Y.Text);
//   rich text   one character at the caret in one paragraph of the `problem` field (a
//               Y.XmlFragment of `paragraph` elements holding a Y.XmlText), as Tiptap's
//               binding writes typing: an insert into the paragraph's existing text. Each
//               editor keeps to one paragraph (editor number modulo the paragraphs the card
//               was created with) and its caret moves on with each character.
//
// Either way a keystroke is one Yjs item of one character, so it takes exactly one clock of
// the editor's client: the load generator names keystrokes by clock.
import * as Y from 'yjs'

export const PLAIN_FIELD = 'title'
export const RICH_FIELD = 'problem'

function paragraphText (doc, index) {
  const paragraphs = doc.getXmlFragment(RICH_FIELD).toArray().filter((n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph')
  if (!paragraphs.length) throw new Error(`the card's ${RICH_FIELD} field has no paragraph to type into`)
  const text = paragraphs[index % paragraphs.length].toArray().find((n) => n instanceof Y.XmlText)
  if (!text) throw new Error(`paragraph ${index % paragraphs.length} of ${RICH_FIELD} holds no text`)
  return text
}

/**
 * Args: doc (the editor's Y.Doc, synced), rich (boolean), index (the editor's number).
 * Returns: {field, type(letter)}; `type` writes one keystroke and returns the cursor after
 *   it as y-prosemirror puts it in the awareness state ({anchor, head}, relative positions
 *   as JSON).
 */
export function typist (doc, rich, index) {
  if (!rich) {
    const text = doc.getText(PLAIN_FIELD)
    return {
      field: PLAIN_FIELD,
      type (letter) {
        const at = Math.floor(Math.random() * (text.length + 1))
        text.insert(at, letter)
        return cursor(text, at + 1)
      }
    }
  }
  const text = paragraphText(doc, index)
  let caret = Math.floor(Math.random() * (text.length + 1))
  return {
    field: RICH_FIELD,
    type (letter) {
      caret = Math.min(caret, text.length)
      text.insert(caret, letter)
      caret++
      return cursor(text, caret)
    }
  }
}

function cursor (type, index) {
  const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(type, index))
  return { anchor: at, head: at }
}

/** The typed field's content, for comparing documents. */
export function fieldContent (doc, rich) {
  return rich ? doc.getXmlFragment(RICH_FIELD).toString() : doc.getText(PLAIN_FIELD).toString()
}
