// Interface text in Vietnamese (default: the operations centre's language) and English. Elements
// carry data-i18n="key" (text) or data-i18n-title="key" (tooltip); applyLanguage() rewrites them.
// Data values (place names, field values) are never translated.

const STRINGS = {
  title: { vi: 'Bản đồ vùng phủ', en: 'Coverage map' },
  subtitle: { vi: '4G · cáp quang · thiên tai · cây ăn quả', en: '4G · fiber · hazards · orchards' },
  layers: { vi: 'Lớp bản đồ', en: 'Map layers' },
  dashboard: { vi: 'Bảng điều khiển', en: 'Dashboard' },
  close: { vi: 'Đóng', en: 'Close' },
  language: { vi: 'Ngôn ngữ', en: 'Language' },
  loading: { vi: 'Đang tải…', en: 'Loading…' },
  none: { vi: 'Không có', en: 'None' },
  yes: { vi: 'Có', en: 'Yes' },
  no: { vi: 'Không', en: 'No' },
  unknown: { vi: 'không rõ', en: 'unknown' },
  not_built: {
    vi: 'Chưa có trong kho kết quả (chạy covermap build khi phân tích này sẵn sàng).',
    en: 'Not in the results store yet (built by covermap build when this analysis exists).',
  },
  load_failed: { vi: 'Không tải được', en: 'Could not load' },

  // groups
  g_base: { vi: 'Nền bản đồ', en: 'Basemap' },
  g_coverage: { vi: 'Vùng phủ 4G', en: '4G coverage' },
  g_fiber: { vi: 'Cáp quang', en: 'Fiber' },
  g_planning: { vi: 'Quy hoạch trạm', en: 'Site planning' },
  g_quality: { vi: 'Chất lượng mạng 4G', en: '4G network quality' },
  g_accuracy: { vi: 'Độ tin cậy và đo kiểm', en: 'Confidence and measurements' },
  g_risk: { vi: 'Rủi ro thiên tai', en: 'Disaster risk' },
  g_agri: { vi: 'Nông nghiệp (UAV)', en: 'Agriculture (UAV)' },

  // layers
  l_hillshade: { vi: 'Địa hình (bóng đổ)', en: 'Terrain (hillshade)' },
  l_admin: { vi: 'Ranh giới hành chính', en: 'Administrative boundaries' },
  l_water: { vi: 'Sông suối', en: 'Rivers' },
  l_roads: { vi: 'Đường giao thông', en: 'Roads' },
  l_places: { vi: 'Thị trấn, địa danh', en: 'Towns and places' },
  l_sites: { vi: 'Trạm BTS và hướng phát', en: 'Cell sites and sectors' },
  l_rsrp: { vi: 'Cường độ tín hiệu 4G (RSRP)', en: '4G signal strength (RSRP)' },
  l_cov_p90: { vi: '4G với độ tin cậy 90 %', en: '4G at 90 % confidence' },
  p90_note: {
    vi: 'Xác suất có sóng tại một vị trí, theo pha-đinh che khuất log-chuẩn (σ từ hiệu chỉnh đo kiểm).',
    en: 'Probability of signal at a location under log-normal shadowing (σ from the drive-test calibration).',
  },
  l_measured: { vi: 'Đo kiểm so với dự báo', en: 'Measured vs predicted' },
  residual_legend: { vi: 'Đo − dự báo (dB)', en: 'Measured − predicted (dB)' },
  residual_of: { vi: 'Sai số', en: 'Residual' },
  residual_before: { vi: 'trước hiệu chỉnh', en: 'before calibration' },
  residual_after: { vi: 'sau hiệu chỉnh', en: 'after calibration' },
  over_predicted: { vi: 'dự báo cao hơn thực tế', en: 'prediction too high' },
  under_predicted: { vi: 'dự báo thấp hơn thực tế', en: 'prediction too low' },
  calib_table: { vi: 'Hiệu chỉnh mô hình (sai số trên điểm kiểm tra độc lập)', en: 'Calibration (error on held-out points)' },
  operator_band: { vi: 'Mạng · MHz', en: 'Operator · MHz' },
  n_points: { vi: 'n', en: 'n' },
  offset_db: { vi: 'Bù', en: 'Offset' },
  sigma_db: { vi: 'σ', en: 'σ' },
  rmse_db: { vi: 'RMSE', en: 'RMSE' },
  calib_units: {
    vi: 'n: số điểm đo. Đơn vị dB. Bù và σ theo từng mạng × băng; RMSE trước → sau hiệu chỉnh, trên các điểm giữ lại để kiểm tra (khối 2 km).',
    en: 'n: measurements. In dB. Offset and σ per operator × band; RMSE before → after calibration, on held-out points (2 km blocks).',
  },
  l_h3: { vi: 'Lục giác H3: vùng phủ và mức tốc độ', en: 'H3 hexagons: coverage and speed tiers' },
  h3_by: { vi: 'Tô màu theo', en: 'Colour by' },
  h3_by_p90: { vi: 'Có phủ 90 %', en: 'Covered at 90 %' },
  h3_by_tier: { vi: '≥ {mbps} Mbps', en: '≥ {mbps} Mbps' },
  h3_share_tier: { vi: 'Tỷ lệ diện tích lục giác có tốc độ tải xuống ≥ {mbps} Mbps', en: 'Share of the hexagon with a download speed ≥ {mbps} Mbps' },
  h3_share: { vi: 'Tỷ lệ diện tích lục giác có sóng ở độ tin cậy 90 %', en: 'Share of the hexagon covered at 90 % confidence' },
  h3_note: { vi: 'Lưới H3 độ phân giải 8 (khoảng 0,74 km² mỗi ô).', en: 'H3 resolution-8 grid (about 0.74 km² a cell).' },
  l_sinr: { vi: 'Tỷ số tín hiệu trên nhiễu (SINR)', en: 'Signal to interference and noise (SINR)' },
  l_dl_mbps: { vi: 'Tốc độ tải xuống (Mbps)', en: 'Download speed (Mbps)' },
  l_speed_tiers: { vi: 'Bản theo mức tốc độ tải xuống', en: 'Hamlets by download speed tier' },
  no_serving: { vi: 'Không có trạm phục vụ', en: 'No serving cell' },
  tier_note: {
    vi: 'Tốc độ tải xuống ước tính tại bản, với tải ô theo tham số [coverage.quality].',
    en: 'Estimated download rate at the hamlet, at the cell load of [coverage.quality].',
  },
  l_landcover: { vi: 'Lớp phủ mặt đất (ESA WorldCover)', en: 'Land cover (ESA WorldCover classes)' },
  l_hamlet_cov: { vi: 'Bản/tổ dân phố có 4G', en: 'Hamlets with 4G' },
  l_commune_cov: { vi: 'Xã: tỷ lệ dân có 4G', en: 'Communes: share of people with 4G' },
  l_fiber: { vi: 'Tuyến cáp quang và điểm truy nhập', en: 'Fiber routes and access points' },
  l_gaps: { vi: 'Vùng lõm sóng và trạm đề xuất', en: 'Coverage gaps and proposed sites' },
  l_landslide: { vi: 'Vùng nguy cơ sạt lở', en: 'Landslide zones' },
  l_flood: { vi: 'Vùng nguy cơ lũ quét', en: 'Flash-flood zones' },
  l_hamlet_risk: { vi: 'Bản có nguy cơ cao', en: 'Hamlets at risk' },
  l_orchards: { vi: 'Vườn cây theo sức khỏe', en: 'Orchards by health' },
  l_uav: { vi: 'Ảnh chỉ số thực vật (UAV)', en: 'UAV vegetation index' },

  // legends
  covered: { vi: 'Có sóng 4G', en: 'Covered by 4G' },
  not_covered: { vi: 'Chưa có sóng', en: 'Not covered' },
  size_population: { vi: 'Kích thước theo số dân', en: 'Size by population' },
  share_people: { vi: 'Tỷ lệ dân có 4G', en: 'Share of people with 4G' },
  fiber_route: { vi: 'Tuyến cáp quang', en: 'Fiber route' },
  access_point: { vi: 'Điểm truy nhập', en: 'Access point' },
  gap_area: { vi: 'Vùng lõm / bản chưa phủ', en: 'Gap area / uncovered hamlet' },
  proposed_site: { vi: 'Trạm đề xuất', en: 'Proposed site' },
  operator: { vi: 'Nhà mạng', en: 'Operator' },
  any_operator: { vi: 'Bất kỳ nhà mạng', en: 'Any operator' },
  serving_operator: { vi: 'Nhà mạng phục vụ', en: 'Serving operator' },
  flight_date: { vi: 'Ngày bay', en: 'Flight date' },
  index: { vi: 'Chỉ số', en: 'Index' },
  zoom_in_uav: { vi: 'Phóng to để xem ảnh UAV', en: 'Zoom in to see the UAV imagery' },
  go_to_flight: { vi: 'Đến vùng bay', en: 'Go to flight' },
  class_1: { vi: 'Rất thấp', en: 'Very low' },
  class_2: { vi: 'Thấp', en: 'Low' },
  class_3: { vi: 'Trung bình', en: 'Moderate' },
  class_4: { vi: 'Cao', en: 'High' },
  class_5: { vi: 'Rất cao', en: 'Very high' },
  h_healthy: { vi: 'Khỏe', en: 'Healthy' },
  h_watch: { vi: 'Cần theo dõi', en: 'Watch' },
  h_stressed: { vi: 'Suy giảm', en: 'Stressed' },
  h_severe: { vi: 'Nghiêm trọng', en: 'Severe' },
  h_no_canopy: { vi: 'Không có tán', en: 'No canopy' },
  not_flown: { vi: 'Chưa bay khảo sát', en: 'Not flown yet' },
  mango: { vi: 'Xoài', en: 'Mango' },
  longan: { vi: 'Nhãn', en: 'Longan' },
  province_line: { vi: 'Ranh giới tỉnh', en: 'Province boundary' },
  district_line: { vi: 'Ranh giới huyện', en: 'District boundary' },
  commune_line: { vi: 'Ranh giới xã', en: 'Commune boundary' },
  road_major: { vi: 'Quốc lộ, tỉnh lộ', en: 'National/provincial road' },
  road_minor: { vi: 'Đường huyện, xã', en: 'District/commune road' },
  river: { vi: 'Sông, suối', en: 'River, stream' },
  town: { vi: 'Thị trấn, điểm dân cư', en: 'Town, settlement' },
  site: { vi: 'Trạm BTS', en: 'Cell site' },
  sector: { vi: 'Hướng phát (sector)', en: 'Sector' },

  // dashboard
  province: { vi: 'Toàn tỉnh', en: 'Province' },
  province_report: { vi: 'Chỉ tiêu toàn tỉnh', en: 'Province indicators' },
  by_district: { vi: 'Theo huyện', en: 'By district' },
  tables: { vi: 'Danh sách', en: 'Lists' },
  t_uncovered: { vi: 'Bản chưa có 4G', en: 'Uncovered hamlets' },
  t_declined: { vi: 'Vườn suy giảm', en: 'Orchards in decline' },
  t_risk: { vi: 'Bản nguy cơ cao', en: 'High-risk hamlets' },
  report_sentence: {
    vi: '{hamlets} số bản và {people} số dân có sóng 4G; {fiber} số xã có cáp quang.',
    en: '{hamlets} of hamlets and {people} of people covered by 4G; {fiber} of communes with fiber.',
  },
  basic_facts: { vi: 'Số liệu cơ bản', en: 'Basic facts' },
  communes: { vi: 'Xã', en: 'Communes' },
  districts: { vi: 'Huyện', en: 'Districts' },
  hamlets: { vi: 'Bản', en: 'Hamlets' },
  population: { vi: 'Dân số', en: 'Population' },
  cell_sites: { vi: 'Trạm BTS', en: 'Cell sites' },
  orchards: { vi: 'Vườn cây', en: 'Orchards' },
  name: { vi: 'Tên', en: 'Name' },
  commune: { vi: 'Xã', en: 'Commune' },
  district: { vi: 'Huyện', en: 'District' },
  people: { vi: 'Số dân', en: 'People' },
  signal: { vi: 'Tín hiệu', en: 'Signal' },
  rsrp: { vi: 'RSRP', en: 'RSRP' },
  serving_site: { vi: 'Trạm phục vụ', en: 'Serving site' },
  operators_covering: { vi: 'Số nhà mạng phủ', en: 'Operators covering' },
  fiber_distance: { vi: 'Khoảng cách tới cáp quang', en: 'Distance to fiber' },
  fiber_ready: { vi: 'Sẵn sàng cáp quang', en: 'Fiber-ready' },
  ndvi_change: { vi: 'Thay đổi NDVI', en: 'NDVI change' },
  health: { vi: 'Sức khỏe', en: 'Health' },
  crop: { vi: 'Cây trồng', en: 'Crop' },
  risk_class: { vi: 'Cấp nguy cơ', en: 'Risk class' },
  landslide: { vi: 'Sạt lở', en: 'Landslide' },
  flash_flood: { vi: 'Lũ quét', en: 'Flash flood' },
  hazard: { vi: 'Loại thiên tai', en: 'Hazard' },
  area: { vi: 'Diện tích', en: 'Area' },
  sectors: { vi: 'Các hướng phát', en: 'Sectors' },
  azimuth: { vi: 'Phương vị', en: 'Azimuth' },
  height: { vi: 'Độ cao', en: 'Height' },
  tilt: { vi: 'Góc nghiêng', en: 'Tilt' },
  band: { vi: 'Băng tần', en: 'Band' },
  eirp: { vi: 'Công suất (EIRP)', en: 'Power (EIRP)' },
  flights: { vi: 'Các lần bay', en: 'Flights' },
  date: { vi: 'Ngày', en: 'Date' },
  indicators: { vi: 'Chỉ tiêu', en: 'Indicators' },
  details: { vi: 'Thông tin', en: 'Details' },
  no_rows: { vi: 'Không có dòng nào', en: 'No rows' },
  rows_of: { vi: '{n} / {total} dòng', en: '{n} of {total} rows' },
  chart_metric: { vi: 'Chỉ tiêu biểu đồ', en: 'Chart metric' },
  click_hint: { vi: 'Nhấn vào bản đồ để xem thông tin chi tiết.', en: 'Click anything on the map for its details.' },
  zoom_to: { vi: 'Phóng tới lớp này', en: 'Zoom to this layer' },
  show_layers: { vi: 'Hiện bảng lớp bản đồ', en: 'Show map layers' },
  show_dash: { vi: 'Hiện bảng điều khiển', en: 'Show dashboard' },
  more: { vi: 'Thêm thông tin', en: 'More' },
  other_sector: { vi: 'hướng phát khác', en: 'another sector' },
  layer_absent: { vi: 'Chưa có dữ liệu', en: 'No data yet' },
};

/// Labels of indicator fields (the coverage engine's names); unknown fields are shown as named.
const FIELD_LABELS = {
  hamlets: { vi: 'Số bản', en: 'Hamlets' },
  hamlets_4g: { vi: 'Bản có 4G', en: 'Hamlets with 4G' },
  hamlets_covered: { vi: 'Bản có 4G', en: 'Hamlets with 4G' },
  hamlets_4g_share: { vi: 'Tỷ lệ bản có 4G', en: 'Share of hamlets with 4G' },
  hamlets_covered_share: { vi: 'Tỷ lệ bản có 4G', en: 'Share of hamlets with 4G' },
  population: { vi: 'Dân số', en: 'Population' },
  population_4g: { vi: 'Dân có 4G', en: 'People with 4G' },
  population_covered: { vi: 'Dân có 4G', en: 'People with 4G' },
  population_4g_share: { vi: 'Tỷ lệ dân có 4G', en: 'Share of people with 4G' },
  population_covered_share: { vi: 'Tỷ lệ dân có 4G', en: 'Share of people with 4G' },
  communes: { vi: 'Số xã', en: 'Communes' },
  communes_fiber: { vi: 'Xã có cáp quang', en: 'Communes with fiber' },
  communes_with_fiber: { vi: 'Xã có cáp quang', en: 'Communes with fiber' },
  communes_fiber_share: { vi: 'Tỷ lệ xã có cáp quang', en: 'Share of communes with fiber' },
  communes_with_fiber_share: { vi: 'Tỷ lệ xã có cáp quang', en: 'Share of communes with fiber' },
  has_fiber: { vi: 'Có cáp quang', en: 'Has fiber' },
  fiber: { vi: 'Có cáp quang', en: 'Has fiber' },
  share_hamlets_4g: { vi: 'Tỷ lệ bản có 4G', en: 'Share of hamlets with 4G' },
  share_population_4g: { vi: 'Tỷ lệ dân có 4G', en: 'Share of people with 4G' },
  share_communes_fiber: { vi: 'Tỷ lệ xã có cáp quang', en: 'Share of communes with fiber' },
  share_hamlets_fiber_ready: { vi: 'Tỷ lệ bản trong tầm cáp quang', en: 'Share of hamlets within fiber reach' },
  share_population_fiber_ready: { vi: 'Tỷ lệ dân trong tầm cáp quang', en: 'Share of people within fiber reach' },
  mean_rsrp_dbm: { vi: 'RSRP trung bình tại bản', en: 'Mean RSRP at hamlets' },
  p10_rsrp_dbm: { vi: 'RSRP phân vị 10 tại bản', en: '10th-percentile RSRP at hamlets' },
  hamlets_good: { vi: 'Bản sóng tốt (≥ −100 dBm)', en: 'Hamlets with good signal' },
  hamlets_multi_operator: { vi: 'Bản có từ 2 nhà mạng', en: 'Hamlets with 2+ operators' },
  hamlets_fiber_ready: { vi: 'Bản trong tầm cáp quang', en: 'Hamlets within fiber reach' },
  hamlets_fiber_share: { vi: 'Tỷ lệ bản trong tầm cáp quang', en: 'Share of hamlets within fiber reach' },
  population_fiber_ready: { vi: 'Dân trong tầm cáp quang', en: 'People within fiber reach' },
  population_fiber_share: { vi: 'Tỷ lệ dân trong tầm cáp quang', en: 'Share of people within fiber reach' },
  rsrp_mean_dbm: { vi: 'RSRP trung bình (dBm)', en: 'Mean RSRP (dBm)' },
  rsrp_p10_dbm: { vi: 'RSRP phân vị 10 (dBm)', en: '10th-percentile RSRP (dBm)' },
  households: { vi: 'Số hộ', en: 'Households' },
  code: { vi: 'Mã', en: 'Code' },
  name: { vi: 'Tên', en: 'Name' },
  district_code: { vi: 'Mã huyện', en: 'District code' },
  commune_code: { vi: 'Xã', en: 'Commune' },
  near_hamlet: { vi: 'Gần bản', en: 'Near hamlet' },
  rank: { vi: 'Thứ tự', en: 'Rank' },
  orchard_id: { vi: 'Mã vườn', en: 'Orchard' },
  crop: { vi: 'Cây trồng', en: 'Crop' },
  date: { vi: 'Ngày bay', en: 'Flight date' },
  flight_id: { vi: 'Lần bay', en: 'Flight' },
  rsrp_dbm: { vi: 'RSRP', en: 'RSRP' },
  covered: { vi: 'Có 4G', en: 'Covered' },
  operators: { vi: 'Số nhà mạng phủ', en: 'Operators covering' },
  serving_site_id: { vi: 'Trạm phục vụ', en: 'Serving site' },
  serving_operator: { vi: 'Nhà mạng phục vụ', en: 'Serving operator' },
  fiber_distance_m: { vi: 'Khoảng cách tới cáp quang', en: 'Distance to fiber' },
  fiber_ready: { vi: 'Sẵn sàng cáp quang', en: 'Fiber-ready' },
  elevation_m: { vi: 'Độ cao (m)', en: 'Elevation (m)' },
  nearest_site_m: { vi: 'Khoảng cách tới trạm gần nhất (m)', en: 'Distance to nearest site (m)' },
  landslide_class: { vi: 'Cấp sạt lở', en: 'Landslide class' },
  flood_class: { vi: 'Cấp lũ quét', en: 'Flash-flood class' },
  hand_m: { vi: 'Độ cao trên dòng chảy (m)', en: 'Height above drainage (m)' },
  slope_deg: { vi: 'Độ dốc (°)', en: 'Slope (°)' },
  ndvi_mean: { vi: 'NDVI trung bình', en: 'Mean NDVI' },
  ndvi_p10: { vi: 'NDVI phân vị 10', en: 'NDVI 10th percentile' },
  ndvi_change: { vi: 'Thay đổi NDVI', en: 'NDVI change' },
  stressed_share: { vi: 'Tỷ lệ điểm ảnh suy giảm', en: 'Share of stressed pixels' },
  health_class: { vi: 'Sức khỏe', en: 'Health' },
  area_m2: { vi: 'Diện tích (m²)', en: 'Area (m²)' },
  people_added: { vi: 'Số dân được phủ thêm', en: 'People newly covered' },
  good: { vi: 'Sóng tốt', en: 'Good signal' },
  sinr_db: { vi: 'SINR', en: 'SINR' },
  dl_mbps: { vi: 'Tốc độ tải xuống', en: 'Download speed' },
  p_covered: { vi: 'Xác suất có sóng', en: 'Probability of coverage' },
  covered_p90: { vi: 'Có 4G ở độ tin cậy 90 %', en: 'Covered at 90 % confidence' },
  covered_in_vehicle: { vi: 'Có 4G trong xe', en: 'Covered in a vehicle' },
  covered_indoor: { vi: 'Có 4G trong nhà', en: 'Covered indoors' },
  serving_sector_id: { vi: 'Hướng phát phục vụ', en: 'Serving sector' },
  runner_up_site_id: { vi: 'Trạm mạnh thứ hai', en: 'Runner-up server' },
  runner_up_sector_id: { vi: 'Hướng phát mạnh thứ hai', en: 'Runner-up sector' },
  runner_up_rsrp_dbm: { vi: 'RSRP trạm thứ hai', en: 'Runner-up RSRP' },
  h3_index: { vi: 'Mã ô H3', en: 'H3 index' },
  operator: { vi: 'Nhà mạng', en: 'Operator' },
  area_share_p90: { vi: 'Diện tích có phủ 90 %', en: 'Area covered at 90 %' },
  mean_dl_mbps: { vi: 'Tốc độ tải xuống trung bình', en: 'Mean download speed' },
  n_measurements: { vi: 'Số điểm đo', en: 'Measurements' },
  measured_mean_dbm: { vi: 'RSRP đo trung bình', en: 'Mean measured RSRP' },
  measured_dbm: { vi: 'RSRP đo', en: 'Measured RSRP' },
  predicted_dbm: { vi: 'RSRP dự báo', en: 'Predicted RSRP' },
  calibrated_dbm: { vi: 'RSRP sau hiệu chỉnh', en: 'Calibrated RSRP' },
  residual_db: { vi: 'Đo − dự báo', en: 'Measured − predicted' },
  calibrated_residual_db: { vi: 'Đo − dự báo đã hiệu chỉnh', en: 'Measured − calibrated' },
  band: { vi: 'Băng tần (MHz)', en: 'Band (MHz)' },
  holdout: { vi: 'Điểm kiểm tra', en: 'Held out' },
  environment: { vi: 'Môi trường đo', en: 'Environment' },
  time: { vi: 'Thời điểm', en: 'Time' },
  challenged: { vi: 'Bị đo kiểm phản bác', en: 'Challenged by a measurement' },
  hamlets_added: { vi: 'Số bản được phủ thêm', en: 'Hamlets newly covered' },
};

let lang = 'vi';
const listeners = [];

export function currentLang() {
  return lang;
}

export function t(key, vars) {
  const s = STRINGS[key];
  let out = s ? s[lang] ?? s.en : key;
  if (vars) for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`{${k}}`, v);
  return out;
}

/// Whether a key has text in both languages (the unit tests check every key the layers use).
export function translated(key) {
  const s = STRINGS[key];
  return !!s && typeof s.vi === 'string' && typeof s.en === 'string';
}

/// A field's label, or the field name made readable.
export function fieldLabel(name) {
  const l = FIELD_LABELS[name];
  if (l) return l[lang];
  const op = /_(viettel|vnpt|mobifone|vinaphone)$/.exec(name);
  if (op && FIELD_LABELS[name.slice(0, op.index)]) {
    const n = { viettel: 'Viettel', vnpt: 'VNPT', mobifone: 'MobiFone', vinaphone: 'VinaPhone' }[op[1]];
    return `${FIELD_LABELS[name.slice(0, op.index)][lang]} · ${n}`;
  }
  return name.replaceAll('_', ' ');
}

export function onLanguage(fn) {
  listeners.push(fn);
}

export function setLanguage(l) {
  lang = l === 'en' ? 'en' : 'vi';
  document.documentElement.lang = lang;
  try {
    localStorage.setItem('covermap.lang', lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyLanguage(document);
  for (const fn of listeners) fn(lang);
}

export function initialLanguage() {
  let l;
  try {
    l = new URLSearchParams(location.search).get('lang') || localStorage.getItem('covermap.lang');
  } catch {
    // storage blocked: the URL or the default decides
    l = null;
  }
  return l === 'en' ? 'en' : 'vi';
}

export function applyLanguage(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute('aria-label', el.title);
  }
}
