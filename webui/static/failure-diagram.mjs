// Draw a version's diagram with bpmn-js and put on each element the number of cases that
// failed there. The page's table carries the same facts as text; this is the picture of them.
const container = document.getElementById('failure-diagram')

async function draw () {
  if (!container || !window.BpmnJS) return
  const [xml, counts] = await Promise.all([
    fetch(container.dataset.xml, { credentials: 'same-origin' }).then((r) => r.text()),
    fetch(container.dataset.counts, { credentials: 'same-origin' }).then((r) => r.json())
  ])
  container.replaceChildren()
  const viewer = new window.BpmnJS({ container })
  await viewer.importXML(xml)
  const canvas = viewer.get('canvas')
  const registry = viewer.get('elementRegistry')
  const overlays = viewer.get('overlays')
  canvas.zoom('fit-viewport')
  let drawn = 0
  for (const [id, count] of Object.entries(counts.elements)) {
    if (!registry.get(id)) continue
    const badge = document.createElement('span')
    badge.className = 'app-failure-count'
    badge.textContent = String(count)
    badge.title = `${count} ${count === 1 ? 'case' : 'cases'} failed here`
    overlays.add(id, 'failures', { position: { top: -12, right: 12 }, html: badge })
    canvas.addMarker(id, 'app-state-overdue')
    drawn += 1
  }
  container.dataset.drawn = drawn
}

draw().catch((error) => {
  container.dataset.drawn = 'failed'
  const message = document.createElement('p')
  message.className = 'govuk-body'
  message.textContent = 'The diagram could not be drawn. The failures are listed below.'
  container.replaceChildren(message)
  console.error(error)
})
