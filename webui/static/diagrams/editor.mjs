// The diagram editor page: bpmn-js modeler, the properties form, checking against the
// server's validation, and the forms (draft, deploy) that carry the edited XML.
import { keepLoopReferences, spiffworkflow } from './spiffworkflow-moddle.mjs'
import { PropertiesForm } from './properties.mjs'
import { Problems } from './problems.mjs'
import { ElementChooser } from './chooser.mjs'

const status = document.getElementById('editor-status')
const modeler = new window.BpmnJS({
  container: '#canvas',
  moddleExtensions: { spiffworkflow }
})
modeler.on('import.parse.complete', ({ references, warnings }) => {
  if (!references) return
  keepLoopReferences(modeler.get('moddle'), references)
  // A restored reference is not worth a warning: the moddle reported it before it was kept.
  const kept = warnings.filter((w) => w.element && w.property && w.element.get(w.property))
  for (const warning of kept) warnings.splice(warnings.indexOf(warning), 1)
})
const problems = new Problems(
  modeler,
  document.getElementById('problems'),
  document.getElementById('problem-list'),
  document.getElementById('valid-banner')
)
// eslint-disable-next-line no-new
new ElementChooser(modeler, document.getElementById('element-choice'))
// eslint-disable-next-line no-new
new PropertiesForm(modeler, document.getElementById('properties-fields'), document.getElementById('properties-empty'))

// The whole diagram in view, to the right of the palette so no shape sits under it.
const MARGIN = 20

function paletteWidth () {
  const palette = document.querySelector('#canvas .djs-palette')
  const container = document.getElementById('canvas')
  if (!palette) return 0
  return palette.getBoundingClientRect().right - container.getBoundingClientRect().left
}

function fitBesidePalette () {
  const canvas = modeler.get('canvas')
  const { inner, outer } = canvas.viewbox()
  if (!inner.width || !inner.height) return
  const left = paletteWidth() + MARGIN
  const scale = Math.min(
    (outer.width - left - MARGIN) / inner.width,
    (outer.height - 2 * MARGIN) / inner.height,
    1
  )
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - MARGIN / scale,
    width: outer.width / scale,
    height: outer.height / scale
  })
}

// A process another modeller marked "not executable" can be viewed, and made runnable here.
function offerToMakeExecutable () {
  const offer = document.getElementById('make-executable')
  const processes = modeler.getDefinitions().rootElements.filter((e) => e.$type === 'bpmn:Process')
  if (!processes.length || processes.some((p) => p.isExecutable)) return
  const wanted = processes.find((p) => p.id === offer.dataset.processId) || processes[0]
  offer.querySelector('[data-process-name]').textContent = wanted.name || wanted.id
  offer.classList.remove('app-hidden')
  offer.querySelector('button').addEventListener('click', () => {
    const root = modeler.get('canvas').getRootElement()
    modeler.get('modeling').updateModdleProperties(root, wanted, { isExecutable: true })
    offer.classList.add('app-hidden')
    check(document.getElementById('validate'))
  }, { once: true })
}

async function open (xml) {
  try {
    const { warnings } = await modeler.importXML(xml)
    fitBesidePalette()
    offerToMakeExecutable()
    status.textContent = warnings.length ? `Opened with ${warnings.length} warnings from the drawing tool.` : ''
    document.body.dataset.editorReady = 'true'
  } catch (error) {
    problems.show([{ element: null, message: `The editor cannot draw this file: ${error.message}` }])
  }
}

async function currentXml () {
  const { xml } = await modeler.saveXML({ format: true })
  return xml
}

function csrfToken () {
  return document.querySelector('input[name="csrf_token"]').value
}

async function check (button) {
  const body = new FormData()
  body.append('csrf_token', csrfToken())
  body.append('xml', await currentXml())
  status.textContent = 'Checking…'
  const response = await fetch(button.dataset.url, { method: 'POST', body, credentials: 'same-origin' })
  if (response.status === 413) {
    status.textContent = 'The diagram is larger than the limit for checking and deploying (2 MB).'
    return
  }
  if (!response.ok) {
    status.textContent = `The check could not run (${response.status}). Try again.`
    return
  }
  const result = await response.json()
  problems.show(result.problems)
  const count = result.problems.length
  status.textContent = result.valid ? 'The diagram is valid.' : `${count} problem${count === 1 ? '' : 's'} found.`
}

async function download (button) {
  const blob = new Blob([await currentXml()], { type: 'application/xml' })
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = button.dataset.filename
  document.body.append(link)
  link.click()
  link.remove()
  URL.revokeObjectURL(link.href)
}

// Changes not yet in a draft or a version: leaving the page asks first.
let unsaved = document.getElementById('canvas').dataset.unsaved === 'true'
modeler.on('commandStack.changed', () => { unsaved = true })
window.addEventListener('beforeunload', (event) => {
  if (!unsaved) return
  event.preventDefault()
  event.returnValue = ''
})

// Draft and deploy forms post the diagram as it is on the canvas now.
for (const form of document.querySelectorAll('form.app-carries-xml')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    form.querySelector('textarea[name="xml"]').value = await currentXml()
    unsaved = false
    form.submit()
  })
}
document.getElementById('validate').addEventListener('click', (e) => check(e.currentTarget))
document.getElementById('download').addEventListener('click', (e) => download(e.currentTarget))

await open(document.getElementById('diagram-xml').value)
problems.fromPage()
