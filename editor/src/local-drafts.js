/**
 * On every page of the app (server/templates/base.html): the unsent card edits this browser
 * keeps (collab/unsent.js) belong to the person who typed them. Once someone signs out, all of
 * them are forgotten (the sign-out answer also asks the browser to clear the site's storage,
 * `Clear-Site-Data`, which browsers honour only over https or on localhost: this is for the
 * rest); while someone is signed in, those of anyone else are. A person whose session merely
 * expired finds theirs again when they sign back in, unless someone else signed in meanwhile.
 */
import { exists, forgetAll, forgetOthers } from './collab/unsent.js';

async function tidy() {
  const { signedOut, userId } = document.body.dataset;
  if (!(await exists())) return;
  if (signedOut === 'true') await forgetAll();
  else if (Number(userId) > 0) await forgetOthers(Number(userId));
}

tidy();
