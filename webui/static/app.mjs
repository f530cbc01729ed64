// Mark the page as scripted (the template's own inline snippet is blocked by our CSP),
// then start GOV.UK Frontend's components (error summary focus, conditional reveals, ...).
import { initAll } from '/frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
